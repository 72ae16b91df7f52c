// Picks a reader by file extension (.parquet, .arrow, .jsonl) and concatenates sharded splits
// (`train-00000-of-00003.parquet`, ...) into one table whose row numbers run across the shards.
import { extname } from "node:path";
import { DatasetError } from "../errors.ts";
import { ArrowReader } from "./arrow.ts";
import { JsonlReader } from "./jsonl.ts";
import { ParquetReader } from "./parquet.ts";
import type { BatchOptions, RowBatch, TableFormat, TableReader } from "./table.ts";

export { ArrowReader } from "./arrow.ts";
export { JsonlReader } from "./jsonl.ts";
export { ParquetReader } from "./parquet.ts";
export type { BatchOptions, Row, RowBatch, TableFormat, TableReader } from "./table.ts";

export function formatOf(path: string): TableFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".parquet") return "parquet";
  if (ext === ".arrow") return "arrow";
  if (ext === ".jsonl") return "jsonl";
  throw new DatasetError(path, "unsupported file type (expected .parquet, .arrow or .jsonl)");
}

export function openTable(path: string): TableReader {
  switch (formatOf(path)) {
    case "parquet":
      return new ParquetReader(path);
    case "arrow":
      return new ArrowReader(path);
    case "jsonl":
      return new JsonlReader(path);
  }
}

/** Several shards read as one table, in the order given. */
export class ShardedTable {
  readonly readers: TableReader[];
  constructor(readonly paths: readonly string[]) {
    if (paths.length === 0) throw new DatasetError("(no files)", "a split needs at least one file");
    this.readers = paths.map(openTable);
  }

  async numRows(): Promise<number> {
    let n = 0;
    for (const r of this.readers) n += await r.numRows();
    return n;
  }

  /** Columns of the first shard; every shard must have them (checked when reading). */
  async columns(): Promise<string[]> {
    return this.readers[0]!.columns();
  }

  async *batches(opts: BatchOptions = {}): AsyncGenerator<RowBatch & { path: string }> {
    let offset = 0;
    for (const reader of this.readers) {
      const n = await reader.numRows();
      const base = offset;
      const wanted = opts.wanted;
      if (wanted === undefined || wanted(base, base + n)) {
        const inner: BatchOptions = {
          ...(opts.columns ? { columns: opts.columns } : {}),
          ...(wanted ? { wanted: (s: number, e: number) => wanted(base + s, base + e) } : {}),
        };
        for await (const batch of reader.batches(inner)) yield { start: base + batch.start, rows: batch.rows, path: reader.path };
      }
      offset += n;
    }
  }
}
