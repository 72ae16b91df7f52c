// Test helpers: golden permutations (int32 safetensors) and temp folders.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { RecordBatchStreamWriter, Table, tableFromArrays, Utf8, vectorFromArray, type RecordBatch } from "apache-arrow";

export const FIXTURES = join(import.meta.dirname, "fixtures");

/** The int32 tensors of a safetensors file (enough of the format for the split goldens). */
export function readInt32Safetensors(path: string): Map<string, Int32Array> {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const out = new Map<string, Int32Array>();
  for (const [key, v] of Object.entries(header)) {
    if (key === "__metadata__") continue;
    if (v.dtype !== "I32") throw new Error(`${path}: ${key} is ${v.dtype}, expected I32`);
    const [a, b] = v.data_offsets;
    const slice = bytes.subarray(8 + n + a, 8 + n + b);
    out.set(key, new Int32Array(slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.byteLength)));
  }
  return out;
}

export const torchGolden = () => readInt32Safetensors(join(FIXTURES, "splits", "torch-randperm-seed42.subset.safetensors"));
export const numpyGolden = () => readInt32Safetensors(join(FIXTURES, "splits", "numpy-permutation.subset.safetensors"));

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `dept-datasets-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An Arrow IPC stream file as the `datasets` cache writes it: one schema, record batches of batchRows,
 * strings as plain Utf8 (dictionary: true gives apache-arrow's default Dictionary<Utf8> instead).
 */
export function writeArrowStream(path: string, columns: Record<string, unknown[] | Int32Array | BigInt64Array>, batchRows: number, dictionary = false): void {
  mkdirSync(dirname(path), { recursive: true });
  const table: Table = dictionary
    ? tableFromArrays(columns as Parameters<typeof tableFromArrays>[0])
    : new Table(Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, Array.isArray(v) && typeof v[0] === "string" ? vectorFromArray(v, new Utf8()) : vectorFromArray(v)])));
  // Slices share one schema, so the stream holds one schema message and several record batches.
  const batches: RecordBatch[] = [];
  for (let i = 0; i < table.numRows; i += batchRows) batches.push(...table.slice(i, i + batchRows).batches);
  writeFileSync(path, RecordBatchStreamWriter.writeAll(batches).toUint8Array(true));
}
