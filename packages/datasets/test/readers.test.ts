import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { ArrowReader, DatasetError, JsonlReader, openTable, ParquetReader, type Row, type TableReader } from "../src/index.ts";
import { MIN_SLICE_ROWS } from "../src/readers/parquet.ts";
import { tempDir } from "./helpers.ts";

const FIX = join(import.meta.dirname, "fixtures", "pyarrow");
const expected = (JSON.parse(readFileSync(join(FIX, "expected.json"), "utf8")) as { rows: Row[] }).rows;

async function readAll(reader: TableReader): Promise<{ rows: Row[]; starts: number[] }> {
  const rows: Row[] = [];
  const starts: number[] = [];
  for await (const b of reader.batches()) {
    starts.push(b.start);
    rows.push(...b.rows);
  }
  return { rows, starts };
}

describe("Parquet written by pyarrow", () => {
  for (const codec of ["snappy", "zstd", "gzip", "brotli", "lz4", "none"]) {
    it(`reads ${codec}: nested list/struct columns, int64 -> number, row groups lazily`, async () => {
      const reader = new ParquetReader(join(FIX, `nested-${codec}.parquet`));
      expect(await reader.numRows()).toBe(7);
      expect(await reader.columns()).toEqual(["question", "context", "answers", "label", "score", "idx"]);
      const { rows, starts } = await readAll(reader);
      expect(starts).toEqual([0, 3, 6]);
      expect(rows).toEqual(expected);
    });
  }
  it("decodes only the requested columns and skips unwanted row groups", async () => {
    const reader = new ParquetReader(join(FIX, "nested-zstd.parquet"));
    const got: Row[] = [];
    for await (const b of reader.batches({ columns: ["answers"], wanted: (s) => s >= 3 })) got.push(...b.rows);
    expect(got).toEqual(expected.slice(3).map((r) => ({ answers: r.answers })));
  });
});

describe("a big row group is decoded in slices", () => {
  const tmp = tempDir("slices");
  afterAll(tmp.cleanup);
  it("one 3,000-row group -> 1,024-row slices with the same rows, wanted() skips slices", async () => {
    const path = join(tmp.dir, "big.parquet");
    const n = 3000;
    parquetWriteFile({
      filename: path,
      rowGroupSize: n,
      columnData: [
        { name: "text", data: Array.from({ length: n }, (_, i) => `row ${i} `.repeat(1 + (i % 5))), type: "STRING", offsetIndex: false },
        { name: "label", data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 3)), type: "INT64", offsetIndex: false },
      ],
      pageSize: 4096,
    });
    const whole = await readAll(new ParquetReader(path));
    expect(whole.starts).toEqual([0]);
    const sliced = await readAll(new ParquetReader(path, { maxSliceBytes: 1 }));
    expect(sliced.starts).toEqual([0, MIN_SLICE_ROWS, 2 * MIN_SLICE_ROWS]);
    expect(sliced.rows).toEqual(whole.rows);
    const starts: number[] = [];
    for await (const b of new ParquetReader(path, { maxSliceBytes: 1 }).batches({ columns: ["label"], wanted: (s) => s > 0 })) {
      starts.push(b.start);
      expect(b.rows[0]).toEqual({ label: b.start % 3 });
    }
    expect(starts).toEqual([MIN_SLICE_ROWS, 2 * MIN_SLICE_ROWS]);
  });
});

describe("Arrow IPC written by pyarrow", () => {
  for (const kind of ["stream", "file"]) {
    it(`reads the ${kind} format batch by batch`, async () => {
      const reader = new ArrowReader(join(FIX, `nested-${kind}.arrow`));
      expect(await reader.numRows()).toBe(7);
      expect(await reader.columns()).toEqual(["question", "context", "answers", "label", "score", "idx"]);
      const { rows, starts } = await readAll(reader);
      expect(starts).toEqual([0, 3, 6]);
      expect(rows).toEqual(expected);
    });
  }
});

describe("errors name the file", () => {
  it("rejects unreadable and unknown files", async () => {
    const notParquet = join(FIX, "expected.json");
    await expect(new ParquetReader(notParquet).numRows()).rejects.toThrow(/expected\.json: not a readable Parquet file/);
    await expect(new ArrowReader(notParquet).numRows()).rejects.toThrow(DatasetError);
    await expect(new JsonlReader(join(FIX, "missing.jsonl")).numRows()).rejects.toThrow(/missing\.jsonl: cannot open/);
    expect(() => openTable("x.csv")).toThrow(/x\.csv: unsupported file type/);
  });
});
