// The common shape of the three on-disk readers (Parquet, Arrow IPC, JSON lines): a table whose rows are
// read lazily in batches (a Parquet row group, an Arrow record batch, a block of JSON lines), so a
// split with hundreds of thousands of rows never has to sit in memory at once.

/** One row as plain JS values: strings, numbers (int64 narrowed to number), booleans, null, arrays, objects. */
export type Row = Record<string, unknown>;

export type TableFormat = "parquet" | "arrow" | "jsonl";

export interface RowBatch {
  /** Row number of rows[0] within this file. */
  readonly start: number;
  readonly rows: Row[];
}

export interface BatchOptions {
  /** Read only these columns (all when omitted). */
  readonly columns?: readonly string[];
  /**
   * Called with a batch's row range [start, end) before it is decoded, when the format knows batch
   * boundaries without decoding (Parquet row groups); returning false skips the batch.
   */
  readonly wanted?: (start: number, end: number) => boolean;
}

export interface TableReader {
  readonly path: string;
  readonly format: TableFormat;
  /** Number of rows (from metadata where the format has it, else one counting pass). */
  numRows(): Promise<number>;
  /** Column names, in file order. */
  columns(): Promise<string[]>;
  /** Rows in file order, batch by batch. */
  batches(opts?: BatchOptions): AsyncGenerator<RowBatch>;
}

/**
 * Turns reader output into plain JSON-like values: bigint -> number (an int64 beyond 2^53 cannot be a
 * label or an index here, so it is an error rather than silent rounding), typed arrays -> arrays.
 */
export function toPlain(value: unknown, where: () => string): unknown {
  if (typeof value === "bigint") {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`${where()}: int64 value ${value} does not fit a JS number`);
    return n;
  }
  if (value === null || value === undefined) return null;
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => toPlain(v, where));
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) return value;
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => toPlain(v, where));
  }
  if (value instanceof Date) return value;
  const out: Row = {};
  for (const [k, v] of Object.entries(value)) out[k] = toPlain(v, where);
  return out;
}
