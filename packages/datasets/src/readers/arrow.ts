// Arrow IPC reader for both framings: the *stream* format (what the Hugging Face `datasets` library writes
// into its cache, `<name>-<split>.arrow`) and the *file* format (magic "ARROW1" + stream + footer).
// apache-arrow's own async readers buffer far more than one batch on big files (measured: a 343 MB stream
// file read through a FileHandle held the whole file, and ran out of a 200 MB heap), so the messages are
// framed here: read one encapsulated message at a time (continuation marker, metadata length, flatbuffer
// Message, body) with positioned reads, keep the schema/dictionary messages, and hand apache-arrow a small
// buffer of [schema, dictionaries, this record batch] to decode. Memory is bounded by one batch
// (`datasets` writes 1,000-row batches).
import { open, type FileHandle } from "node:fs/promises";
import { Message, RecordBatchReader, Vector, type RecordBatch } from "apache-arrow";
import { DatasetError } from "../errors.ts";
import { toPlain, type BatchOptions, type Row, type RowBatch, type TableReader } from "./table.ts";

export class ArrowReader implements TableReader {
  readonly format = "arrow" as const;
  private rowCount: number | null = null;
  private names: string[] | null = null;
  constructor(readonly path: string) {}

  async numRows(): Promise<number> {
    if (this.rowCount === null) {
      // Stream-format files have no footer: counting walks the message headers (bodies are skipped).
      this.rowCount = await this.countRows();
    }
    return this.rowCount;
  }

  async columns(): Promise<string[]> {
    if (this.names === null) {
      for await (const m of this.messages()) {
        if (!m.message.isSchema()) continue;
        const raw = await m.raw();
        try {
          const reader = RecordBatchReader.from(raw);
          reader.open();
          this.names = reader.schema.fields.map((f) => f.name);
        } catch (error) {
          throw new DatasetError(this.path, `cannot decode the Arrow schema (${describe(error)})`);
        }
        break;
      }
    }
    return this.names ?? [];
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

  /** Record batches in order. */
  private async *recordBatches(): AsyncGenerator<RecordBatch> {
    const prefix: Uint8Array[] = [];
    for await (const m of this.messages()) {
      if (m.message.isSchema()) {
        prefix.push(await m.raw());
      } else if (m.message.isDictionaryBatch()) {
        prefix.push(await m.raw());
      } else if (m.message.isRecordBatch()) {
        if (prefix.length === 0) throw new DatasetError(this.path, "Arrow IPC record batch before any schema");
        yield* decodeBatches(this.path, [...prefix, await m.raw()]);
      }
    }
  }

  /** Rows from the record batch headers alone (bodies are never read). */
  private async countRows(): Promise<number> {
    let n = 0;
    for await (const m of this.messages()) {
      if (m.message.isRecordBatch()) n += Number((m.message.header() as { length: number | bigint }).length);
    }
    return n;
  }

  /** The encapsulated IPC messages, metadata decoded, bytes (framing + metadata + body) read on demand. */
  private async *messages(): AsyncGenerator<{ message: Message; raw: () => Promise<Uint8Array> }> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, "r");
    } catch (error) {
      throw new DatasetError(this.path, `cannot open (${describe(error)})`);
    }
    try {
      const size = (await handle.stat()).size;
      const read = async (position: number, length: number): Promise<Uint8Array> => {
        const buf = new Uint8Array(length);
        const { bytesRead } = await handle.read(buf, 0, length, position);
        if (bytesRead !== length) throw new DatasetError(this.path, `truncated Arrow IPC data at byte ${position} (wanted ${length} bytes, file has ${size})`);
        return buf;
      };
      let pos = 0;
      let end = size;
      if (size >= 8 && new TextDecoder().decode(await read(0, 6)) === ARROW_MAGIC) {
        // File format: magic + padding, the stream messages, footer, int32 footer length, magic.
        if (size < 18) throw new DatasetError(this.path, "Arrow IPC file too short");
        const tail = await read(size - 10, 4);
        end = size - 10 - new DataView(tail.buffer).getInt32(0, true);
        pos = 8;
      }
      let sawSchema = false;
      while (pos + 4 <= end) {
        const head = new DataView((await read(pos, Math.min(8, end - pos))).buffer);
        let metaLength = head.getInt32(0, true);
        let headerBytes = 4;
        if (metaLength === -1) {
          // 0xFFFFFFFF continuation marker (IPC >= 0.15); older streams start with the length itself.
          if (head.byteLength < 8) break;
          metaLength = head.getInt32(4, true);
          headerBytes = 8;
        }
        if (metaLength === 0) break; // end-of-stream marker
        if (metaLength < 0 || pos + headerBytes + metaLength > end) {
          throw new DatasetError(this.path, `not a readable Arrow IPC stream or file (bad message length ${metaLength} at byte ${pos})`);
        }
        let message: Message;
        try {
          message = Message.decode(await read(pos + headerBytes, metaLength));
        } catch (error) {
          throw new DatasetError(this.path, `not a readable Arrow IPC stream or file (${describe(error)} at byte ${pos})`);
        }
        const at = pos;
        const total = headerBytes + metaLength + Number(message.bodyLength);
        if (at + total > end) throw new DatasetError(this.path, `truncated Arrow IPC message at byte ${at}`);
        pos += total;
        if (message.isSchema()) sawSchema = true;
        yield { message, raw: () => read(at, total) };
      }
      if (!sawSchema) throw new DatasetError(this.path, "not a readable Arrow IPC stream or file (no schema message)");
    } finally {
      await handle.close();
    }
  }
}

const ARROW_MAGIC = "ARROW1";

/** Decodes [schema, dictionaries..., batch] with apache-arrow's synchronous stream reader. */
function* decodeBatches(path: string, messages: Uint8Array[]): Generator<RecordBatch> {
  const total = messages.reduce((n, m) => n + m.byteLength, 0);
  const buf = new Uint8Array(total);
  let at = 0;
  for (const m of messages) {
    buf.set(m, at);
    at += m.byteLength;
  }
  let reader;
  try {
    reader = RecordBatchReader.from(buf);
    reader.open();
  } catch (error) {
    throw new DatasetError(path, `cannot decode Arrow record batch (${describe(error)})`);
  }
  for (const batch of reader) yield batch;
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
