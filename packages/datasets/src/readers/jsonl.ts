// JSON lines reader: one object per line, streamed with readline in blocks of BATCH_ROWS lines. Blank
// lines are skipped (and not counted), as pandas/`datasets` json loading skips them.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { DatasetError } from "../errors.ts";
import { toPlain, type BatchOptions, type Row, type RowBatch, type TableReader } from "./table.ts";

/** Rows per yielded batch; a memory/overhead trade-off only (results do not depend on it). */
const BATCH_ROWS = 1000;

export class JsonlReader implements TableReader {
  readonly format = "jsonl" as const;
  private rowCount: number | null = null;
  private names: string[] | null = null;
  constructor(readonly path: string) {}

  async numRows(): Promise<number> {
    if (this.rowCount === null) {
      let n = 0;
      for await (const line of this.lines()) if (line.text.trim() !== "") n++;
      this.rowCount = n;
    }
    return this.rowCount;
  }

  async columns(): Promise<string[]> {
    if (this.names === null) {
      const names = new Set<string>();
      // Keys of the first object (JSON lines have no schema; `datasets` infers it from the first rows).
      for await (const batch of this.batches()) {
        for (const key of Object.keys(batch.rows[0] ?? {})) names.add(key);
        break;
      }
      this.names = [...names];
    }
    return this.names;
  }

  async *batches(opts: BatchOptions = {}): AsyncGenerator<RowBatch> {
    let rows: Row[] = [];
    let start = 0;
    let index = 0;
    for await (const { text, lineNo } of this.lines()) {
      if (text.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new DatasetError(`${this.path}:${lineNo}`, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new DatasetError(`${this.path}:${lineNo}`, "expected one JSON object per line");
      }
      const row = toPlain(value, () => `${this.path}:${lineNo}`) as Row;
      if (opts.columns !== undefined) {
        const picked: Row = {};
        for (const c of opts.columns) picked[c] = row[c];
        rows.push(picked);
      } else {
        rows.push(row);
      }
      index++;
      if (rows.length === BATCH_ROWS) {
        yield { start, rows };
        start = index;
        rows = [];
      }
    }
    if (rows.length > 0) yield { start, rows };
  }

  private async *lines(): AsyncGenerator<{ text: string; lineNo: number }> {
    const stream = createReadStream(this.path, { encoding: "utf8" });
    const opened = new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", reject);
    });
    try {
      await opened;
    } catch (error) {
      throw new DatasetError(this.path, `cannot open (${error instanceof Error ? error.message : String(error)})`);
    }
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    let lineNo = 0;
    try {
      for await (const text of rl) {
        lineNo++;
        yield { text, lineNo };
      }
    } finally {
      rl.close();
      stream.destroy();
    }
  }
}
