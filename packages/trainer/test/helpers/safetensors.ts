// TEMPORARY test-only safetensors reader (F32/I32 only) until @dept/runtime's readSafetensors lands on main;
// then this file is deleted and the tests import readSafetensors from @dept/runtime.
import { readFileSync } from "node:fs";

export interface TestTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

export function readTestSafetensors(path: string): Map<string, TestTensor> {
  const bytes = readFileSync(path);
  const headerLen = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString("utf8")) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const base = 8 + headerLen;
  const out = new Map<string, TestTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [start, end] = info.data_offsets;
    const slice = bytes.buffer.slice(bytes.byteOffset + base + start, bytes.byteOffset + base + end);
    if (info.dtype === "F32") out.set(name, { shape: info.shape, data: new Float32Array(slice) });
    else if (info.dtype === "I32") out.set(name, { shape: info.shape, data: new Int32Array(slice) });
    else throw new Error(`${path}: ${name}: dtype ${info.dtype} not handled by the temporary test reader`);
  }
  return out;
}
