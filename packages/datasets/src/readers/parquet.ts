// Parquet reader on hyparquet (pure JS, no native build; reads the footer, then one row group at a time
// through an AsyncBuffer over the file, so memory is bounded by the largest row group of the columns
// asked for). Codecs: hyparquet decodes SNAPPY and UNCOMPRESSED itself; hyparquet-compressors adds
// ZSTD, GZIP, BROTLI, LZ4 and LZ4_RAW (pyarrow and `datasets` write SNAPPY by default, but hub files
// written with other settings exist).
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import type { AsyncBuffer, FileMetaData } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { DatasetError } from "../errors.ts";
import { toPlain, type BatchOptions, type Row, type RowBatch, type TableReader } from "./table.ts";

export class ParquetReader implements TableReader {
  readonly format = "parquet" as const;
  private opened: Promise<{ file: AsyncBuffer; metadata: FileMetaData }> | null = null;
  constructor(readonly path: string) {}

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
    const { metadata } = await this.open();
    const out: { start: number; end: number }[] = [];
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      out.push({ start, end });
      start = end;
    }
    return out;
  }

  async *batches(opts: BatchOptions = {}): AsyncGenerator<RowBatch> {
    const { file, metadata } = await this.open();
    const columns = opts.columns === undefined ? undefined : [...opts.columns];
    for (const { start, end } of await this.rowGroups()) {
      if (start === end) continue;
      if (opts.wanted !== undefined && !opts.wanted(start, end)) continue;
      let raw: Row[];
      try {
        raw = (await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end, compressors, ...(columns ? { columns } : {}) })) as Row[];
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
