// Arrow IPC reader on apache-arrow, for both framings: the *stream* format (what the Hugging Face
// `datasets` library writes into its cache, `<name>-<split>.arrow`) and the *file* format (magic
// "ARROW1", footer). Opening a FileHandle lets apache-arrow pick the right reader and pull one record
// batch at a time, so memory is bounded by the largest batch (`datasets` writes 1,000-row batches).
import { open } from "node:fs/promises";
import { RecordBatchReader, Vector } from "apache-arrow";
import { DatasetError } from "../errors.ts";
import { toPlain, type BatchOptions, type Row, type RowBatch, type TableReader } from "./table.ts";

export class ArrowReader implements TableReader {
  readonly format = "arrow" as const;
  private rowCount: number | null = null;
  private names: string[] | null = null;
  constructor(readonly path: string) {}

  async numRows(): Promise<number> {
    if (this.rowCount === null) {
      let n = 0;
      // Stream-format files have no footer: counting means walking the batches (decoding no values).
      for await (const batch of this.recordBatches()) n += batch.numRows;
      this.rowCount = n;
    }
    return this.rowCount;
  }

  async columns(): Promise<string[]> {
    if (this.names === null) {
      const reader = await this.openReader();
      try {
        this.names = reader.schema.fields.map((f) => f.name);
      } finally {
        await reader.cancel();
      }
    }
    return this.names;
  }

  async *batches(opts: BatchOptions = {}): AsyncGenerator<RowBatch> {
    let start = 0;
    for await (const batch of this.recordBatches()) {
      const n = batch.numRows;
      if (opts.wanted !== undefined && !opts.wanted(start, start + n)) {
        start += n;
        continue;
      }
      const names = opts.columns ?? batch.schema.fields.map((f) => f.name);
      const rows: Row[] = Array.from({ length: n }, () => ({}));
      for (const name of names) {
        const vector = batch.getChild(name);
        if (vector === null) throw new DatasetError(this.path, `no column '${name}' in the Arrow schema`);
        for (let i = 0; i < n; i++) {
          const at = start + i;
          rows[i]![name] = arrowPlain(vector.get(i), () => `${this.path} row ${at} column ${name}`);
        }
      }
      yield { start, rows };
      start += n;
    }
  }

  private async openReader() {
    let handle;
    try {
      handle = await open(this.path, "r");
    } catch (error) {
      throw new DatasetError(this.path, `cannot open (${describe(error)})`);
    }
    try {
      const reader = await RecordBatchReader.from(handle);
      await reader.open();
      return reader;
    } catch (error) {
      await handle.close();
      throw new DatasetError(this.path, `not a readable Arrow IPC stream or file (${describe(error)})`);
    }
  }

  private async *recordBatches() {
    const reader = await this.openReader();
    try {
      for await (const batch of reader) yield batch;
    } catch (error) {
      throw new DatasetError(this.path, `cannot decode Arrow record batch (${describe(error)})`);
    } finally {
      await reader.cancel();
    }
  }
}

/** Arrow values (Vectors for lists, StructRow proxies for structs, bigint for int64) -> plain JS values. */
function arrowPlain(value: unknown, where: () => string): unknown {
  if (value instanceof Vector) return Array.from(value as Iterable<unknown>, (v) => arrowPlain(v, where));
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value) && !Array.isArray(value)) {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === "function") {
      const obj = json.call(value) as Record<string, unknown>;
      const out: Row = {};
      for (const [k, v] of Object.entries(obj)) out[k] = arrowPlain(v, where);
      return out;
    }
  }
  return toPlain(value, where);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
