import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ArrowReader, DatasetError, JsonlReader, openTable, ParquetReader, type Row, type TableReader } from "../src/index.ts";

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
