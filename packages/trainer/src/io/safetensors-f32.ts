// INTERIM: minimal F32-only safetensors encode/decode for optimizer.safetensors, used until @dept/runtime's
// writeSafetensors/readSafetensors land on main (then this file is deleted and checkpoint.ts imports those).
// Format (huggingface/safetensors): u64 LE header length, JSON header {name: {dtype, shape, data_offsets}},
// optional "__metadata__" of strings, header padded with spaces to a multiple of 8, then raw little-endian data.
import { CheckpointError } from "../errors.ts";

export interface F32Tensor {
  shape: number[];
  data: Float32Array;
}

export function encodeF32Safetensors(tensors: ReadonlyMap<string, F32Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = [...tensors.keys()].sort();
  for (const name of names) {
    const t = tensors.get(name)!;
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

export function decodeF32Safetensors(bytes: Uint8Array, source: string): Map<string, F32Tensor> {
  if (bytes.length < 8) throw new CheckpointError(source, "file too short for a safetensors header");
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLen > bytes.length) throw new CheckpointError(source, "safetensors header length exceeds the file");
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLen)).toString("utf8")) as typeof header;
  } catch {
    throw new CheckpointError(source, "safetensors header is not valid JSON");
  }
  const base = 8 + headerLen;
  const out = new Map<string, F32Tensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (info.dtype !== "F32") throw new CheckpointError(source, `tensor '${name}' has dtype ${info.dtype}, expected F32`);
    const [start, end] = info.data_offsets;
    const n = info.shape.reduce((a, b) => a * b, 1);
    if (end - start !== n * 4 || base + end > bytes.length) throw new CheckpointError(source, `tensor '${name}' has inconsistent offsets`);
    const copy = bytes.slice(base + start, base + end);
    out.set(name, { shape: info.shape, data: new Float32Array(copy.buffer, copy.byteOffset, n) });
  }
  return out;
}
