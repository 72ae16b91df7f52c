// TEMPORARY test-only safetensors reader (F32 / I32 only) until @dept/runtime's reader lands on main.
import { readFileSync } from "node:fs";
import type { CheckpointTensor } from "../../src/index.ts";

export function readSafetensorsSync(path: string): Map<string, CheckpointTensor> {
  const raw = readFileSync(path);
  const n = Number(raw.readBigUInt64LE(0));
  const header = JSON.parse(raw.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, CheckpointTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const bytes = raw.subarray(8 + n + info.data_offsets[0], 8 + n + info.data_offsets[1]);
    const copy = new Uint8Array(bytes).buffer;
    const data = info.dtype === "F32" ? new Float32Array(copy) : new Int32Array(copy);
    out.set(name, { dtype: info.dtype, shape: info.shape, data });
  }
  return out;
}
