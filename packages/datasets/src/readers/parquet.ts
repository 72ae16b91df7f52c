// Parquet reader on hyparquet (pure JS, no native build; reads the footer, then one row group, or one
// slice of a big row group, at a time through an AsyncBuffer over the file, so memory is bounded by about
// MAX_SLICE_BYTES of decoded rows plus one compressed column chunk). Codecs: hyparquet decodes SNAPPY and UNCOMPRESSED itself; hyparquet-compressors adds
// ZSTD, GZIP, BROTLI, LZ4 and LZ4_RAW (pyarrow and `datasets` write SNAPPY by default, but hub files
// written with other settings exist).
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import type { AsyncBuffer, FileMetaData } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { DatasetError } from "../errors.ts";
import { toPlain, type BatchOptions, type Row, type RowBatch, type TableReader } from "./table.ts";

/**
 * Largest uncompressed size (bytes, selected columns) decoded in one go. `datasets`/pyarrow often write a
 * hub shard as ONE row group (hundreds of MB of text); such a group is read in row slices of about this
 * size instead: hyparquet skips the pages before a slice without decompressing them and stops after it.
 */
export const MAX_SLICE_BYTES = 64 * 1024 * 1024;
/** Never slice finer than this many rows (the compressed column chunk is re-fetched per slice). */
export const MIN_SLICE_ROWS = 1024;

export class ParquetReader implements TableReader {
  readonly format = "parquet" as const;
  private opened: Promise<{ file: AsyncBuffer; metadata: FileMetaData }> | null = null;
  private readonly maxSliceBytes: number;
  constructor(
    readonly path: string,
    opts: { maxSliceBytes?: number } = {},
  ) {
    this.maxSliceBytes = opts.maxSliceBytes ?? MAX_SLICE_BYTES;
  }

  private open(): Promise<{ file: AsyncBuffer; metadata: FileMetaData }> {
    this.opened ??= (async () => {
      try {
        const file = await asyncBufferFromFile(this.path);
        const metadata = await parquetMetadataAsync(file);
        return { file, metadata };
      } catch (error) {
        throw new DatasetError(this.path, `not a readable Parquet file (${describe(error)})`);
      }
    })();
    return this.opened;
  }

  async numRows(): Promise<number> {
    const { metadata } = await this.open();
    return Number(metadata.num_rows);
  }

  async columns(): Promise<string[]> {
    const { metadata } = await this.open();
    return parquetSchema(metadata).children.map((c) => c.element.name);
  }

  /** Row ranges of the row groups, in file order. */
  async rowGroups(): Promise<{ start: number; end: number }[]> {
    return (await this.slices()).groups;
  }

  /**
   * Row groups, and the ranges batches() decodes: each group whole, or in slices of about MAX_SLICE_BYTES
   * of the selected columns' uncompressed data.
   */
  private async slices(columns?: readonly string[]): Promise<{ groups: { start: number; end: number }[]; slices: { start: number; end: number }[] }> {
    const { metadata } = await this.open();
    const groups: { start: number; end: number }[] = [];
    const slices: { start: number; end: number }[] = [];
    let start = 0;
    for (const group of metadata.row_groups) {
      const rows = Number(group.num_rows);
      const end = start + rows;
      groups.push({ start, end });
      let bytes = 0;
      for (const chunk of group.columns) {
        const top = chunk.meta_data?.path_in_schema[0];
        if (columns === undefined || (top !== undefined && columns.includes(top))) bytes += Number(chunk.meta_data?.total_uncompressed_size ?? 0);
      }
      const step = bytes > this.maxSliceBytes ? Math.max(MIN_SLICE_ROWS, Math.floor((rows * this.maxSliceBytes) / bytes)) : rows;
      for (let s = start; s < end; s += step) slices.push({ start: s, end: Math.min(end, s + step) });
      start = end;
    }
    return { groups, slices };
  }

  async *batches(opts: BatchOptions = {}): AsyncGenerator<RowBatch> {
    const { file, metadata } = await this.open();
    const columns = opts.columns === undefined ? undefined : [...opts.columns];
    for (const { start, end } of (await this.slices(columns)).slices) {
      if (start === end) continue;
      if (opts.wanted !== undefined && !opts.wanted(start, end)) continue;
      let raw: Row[];
      try {
        raw = (await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end, compressors, useOffsetIndex: true, ...(columns ? { columns } : {}) })) as Row[];
      } catch (error) {
        throw new DatasetError(this.path, `cannot decode rows ${start}-${end - 1} (${describe(error)})`);
      }
      const rows = raw.map((r, i) => toPlain(r, () => `${this.path} row ${start + i}`) as Row);
      yield { start, rows };
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
