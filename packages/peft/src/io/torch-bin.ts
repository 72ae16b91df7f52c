// Reads a PyTorch `torch.save(state_dict)` file (zip archive: <root>/data.pkl + <root>/data/<key> storages,
// torch/serialization.py `_save` / `_load`) into plain tensors, through the restricted unpickler (never executes
// code). This is how DePT's train.py wrote adapter_model.bin.
import { readFile } from "node:fs/promises";
import { TorchPickleError } from "../errors.ts";
import { halfToFloat, type RawTensor } from "./tensor.ts";
import { PyDict, restrictedUnpickle, TensorRef } from "./unpickle.ts";
import { ZipReader } from "./zip.ts";

function materialize(zip: ZipReader, root: string, name: string, t: TensorRef, file: string): RawTensor {
  const { dtype, itemSize } = t.storage.dtype;
  if (dtype === "F64") throw new TorchPickleError(file, `tensor '${name}' is float64; expected float32/float16/bfloat16 or an integer type`);
  const bytes = zip.read(`${root}/data/${t.storage.key}`);
  if (bytes.length < t.storage.numel * itemSize) {
    throw new TorchPickleError(file, `storage ${t.storage.key} of '${name}' has ${bytes.length} bytes; expected ${t.storage.numel * itemSize}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const numel = t.shape.reduce((a, b) => a * b, 1);
  // Element index -> storage index through the strides (any layout; contiguous is the common case).
  const index = (flat: number): number => {
    let rem = flat;
    let off = t.offset;
    for (let d = t.shape.length - 1; d >= 0; d--) {
      const size = t.shape[d] as number;
      off += (rem % size) * (t.stride[d] as number);
      rem = Math.floor(rem / size);
    }
    return off;
  };
  let maxIndex = t.offset;
  for (let d = 0; d < t.shape.length; d++) maxIndex += Math.max(0, (t.shape[d] as number) - 1) * (t.stride[d] as number);
  if (numel > 0 && maxIndex >= t.storage.numel) {
    throw new TorchPickleError(file, `tensor '${name}' (shape [${t.shape.join(", ")}]) reaches past its storage of ${t.storage.numel} elements`);
  }
  const shape = [...t.shape];
  switch (dtype) {
    case "F32": {
      const out = new Float32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getFloat32(index(i) * 4, true);
      return { dtype, shape, data: out };
    }
    case "F16":
    case "BF16": {
      const out = new Float32Array(numel);
      const tmp = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < numel; i++) {
        const h = view.getUint16(index(i) * 2, true);
        if (dtype === "F16") out[i] = halfToFloat(h);
        else {
          tmp.setUint32(0, h << 16);
          out[i] = tmp.getFloat32(0);
        }
      }
      return { dtype, shape, data: out };
    }
    case "I64": {
      const out = new Int32Array(numel);
      for (let i = 0; i < numel; i++) {
        const v = view.getBigInt64(index(i) * 8, true);
        if (v > 2147483647n || v < -2147483648n) throw new TorchPickleError(file, `tensor '${name}': int64 value ${v} does not fit int32`);
        out[i] = Number(v);
      }
      return { dtype, shape, data: out };
    }
    case "I32": {
      const out = new Int32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getInt32(index(i) * 4, true);
      return { dtype, shape, data: out };
    }
    case "U8":
    case "BOOL": {
      const out = new Uint8Array(numel);
      for (let i = 0; i < numel; i++) out[i] = bytes[index(i)] as number;
      return { dtype, shape, data: out };
    }
  }
}

/** Parses torch.save bytes holding a flat {name: tensor} state dict. */
export function parseTorchBin(bytes: Uint8Array, file: string): Map<string, RawTensor> {
  if (bytes.length >= 2 && bytes[0] === 0x80) {
    throw new TorchPickleError(file, "legacy (pre-1.6, non-zip) torch.save format is not supported; re-save with torch >= 1.6 or convert to safetensors");
  }
  const zip = new ZipReader(bytes, file);
  const pkls = [...zip.entries.keys()].filter((n) => n === "data.pkl" || n.endsWith("/data.pkl"));
  if (pkls.length !== 1) throw new TorchPickleError(file, `expected exactly one data.pkl in the archive, found ${pkls.length}`);
  const pkl = pkls[0] as string;
  const root = pkl.includes("/") ? pkl.slice(0, pkl.lastIndexOf("/")) : "";
  const byteorder = zip.entries.has(`${root}/byteorder`) ? new TextDecoder().decode(zip.read(`${root}/byteorder`)).trim() : "little";
  if (byteorder !== "little") throw new TorchPickleError(file, `byteorder '${byteorder}' is not supported; expected 'little'`);
  const obj = restrictedUnpickle(zip.read(pkl), file);
  if (!(obj instanceof PyDict)) throw new TorchPickleError(file, "the pickle root is not a dict; expected a state dict {name: tensor}");
  const out = new Map<string, RawTensor>();
  for (const [k, v] of obj.map) {
    if (typeof k !== "string") throw new TorchPickleError(file, `state dict key ${k} is not a string`);
    if (!(v instanceof TensorRef)) throw new TorchPickleError(file, `state dict entry '${k}' is not a tensor`);
    out.set(k, materialize(zip, root, k, v, file));
  }
  return out;
}

export async function readTorchBin(path: string): Promise<Map<string, RawTensor>> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new TorchPickleError(path, `cannot read (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseTorchBin(bytes, path);
}
