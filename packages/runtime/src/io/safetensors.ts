// safetensors reader/writer (format of github.com/huggingface/safetensors, the file `save_pretrained`
// writes): 8-byte little-endian u64 header length N, N bytes of JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the byte buffer.
// Validation follows the Rust crate's `SafeTensors::deserialize` (header size cap, offsets must tile the
// buffer exactly in order, byte range = numel * itemsize); the writer mirrors its `serialize`: tensors
// sorted by dtype (descending in the crate's Dtype enum order) then name, header padded with spaces to a
// multiple of 8 bytes so the data starts aligned.
import { endianness } from "node:os";
import { randomBytes } from "node:crypto";
import { open, readFile, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, normalize } from "node:path";
import { SafetensorsError } from "../errors.ts";
import { decodeBF16, decodeF16, encodeBF16, encodeF16 } from "./half.ts";

export type SafetensorsDtype = "F32" | "F16" | "BF16" | "I64" | "I32" | "U8" | "BOOL";

export interface SafetensorsTensor {
  /** As stored on disk. */
  dtype: SafetensorsDtype;
  shape: number[];
  /** F32/F16/BF16 -> Float32Array; I64/I32 -> Int32Array; U8/BOOL -> Uint8Array. */
  data: Float32Array | Int32Array | Uint8Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** Same cap as the Rust crate (MAX_HEADER_SIZE = 100_000_000): a larger header is a corrupt file. */
export const MAX_HEADER_BYTES = 100_000_000;

const ITEM_SIZE: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1 };

/** Dtypes of the format that this package does not convert (named in the error instead of "unknown"). */
const UNSUPPORTED_DTYPES = new Set([
  "F64", "I8", "I16", "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64",
]);

/** Position in the Rust crate's `Dtype` enum (BOOL < U8 < ... < F16 < BF16 < I32 < U32 < F32 < F64 < I64):
 *  `serialize` sorts tensors by this rank, largest first, then by name. */
const DTYPE_RANK: Record<SafetensorsDtype, number> = { BOOL: 0, U8: 1, F16: 2, BF16: 3, I32: 4, F32: 5, I64: 6 };

const LITTLE_ENDIAN_HOST = endianness() === "LE";

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(ITEM_SIZE, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

interface ParsedHeader {
  entries: HeaderEntry[];
  metadata: Record<string, string>;
}

/** Reads the header length from the first 8 bytes and checks it against the file size. */
function headerLength(first8: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8) {
    throw new SafetensorsError(source, `file is ${fileSize} bytes, shorter than the 8-byte header length prefix`);
  }
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(source, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (corrupt or not a safetensors file)`);
  }
  const len = Number(n);
  if (8 + len > fileSize) {
    throw new SafetensorsError(source, `header length ${len} runs past the end of the ${fileSize}-byte file (truncated?)`);
  }
  return len;
}

/** Parses and validates the JSON header; `bufferLength` is the size of the byte buffer after it. */
function parseHeader(headerBytes: Uint8Array, bufferLength: number, source: string): ParsedHeader {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(source, "header is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(source, `header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(json)) {
    throw new SafetensorsError(source, "header JSON is not an object of tensors");
  }

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === "__metadata__") {
      if (!isPlainObject(value)) {
        throw new SafetensorsError(source, "__metadata__ must be an object of string values");
      }
      for (const [key, v] of Object.entries(value)) {
        if (typeof v !== "string") {
          throw new SafetensorsError(source, `__metadata__ value for "${key}" is ${JSON.stringify(v)}, expected a string`);
        }
        metadata[key] = v;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (!isPlainObject(value)) {
      throw new SafetensorsError(source, `${where}: header entry is not an object`);
    }
    const { dtype, shape, data_offsets: offsets } = value;
    if (!isDtype(dtype)) {
      const supported = Object.keys(ITEM_SIZE).join(", ");
      const problem = typeof dtype === "string" && UNSUPPORTED_DTYPES.has(dtype)
        ? `unsupported dtype ${dtype}` : `unknown dtype ${JSON.stringify(dtype)}`;
      throw new SafetensorsError(source, `${where}: ${problem} (supported: ${supported})`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw new SafetensorsError(source, `${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      throw new SafetensorsError(source, `${where}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) {
      throw new SafetensorsError(source, `${where}: data_offsets [${begin}, ${end}] end before begin`);
    }
    if (end > bufferLength) {
      throw new SafetensorsError(source, `${where}: data_offsets [${begin}, ${end}] out of the ${bufferLength}-byte data buffer`);
    }
    let numel = 1;
    for (const d of shape) numel *= d;
    const expected = numel * ITEM_SIZE[dtype];
    if (!Number.isSafeInteger(expected) || expected !== end - begin) {
      throw new SafetensorsError(source,
        `${where}: shape [${shape.join(", ")}] x ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    entries.push({ name, dtype, shape: shape, begin, end });
  }

  // The format requires the tensors to tile the buffer: sorted by offset, each starts where the last ended.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = "";
  for (const e of byOffset) {
    if (e.begin < cursor) {
      throw new SafetensorsError(source, `tensor "${e.name}" [${e.begin}, ${e.end}] overlaps tensor "${previous}" (ends at ${cursor})`);
    }
    if (e.begin > cursor) {
      throw new SafetensorsError(source, `hole in the data buffer: bytes [${cursor}, ${e.begin}) before tensor "${e.name}" belong to no tensor`);
    }
    cursor = e.end;
    previous = e.name;
  }
  if (cursor !== bufferLength) {
    throw new SafetensorsError(source, `data buffer is ${bufferLength} bytes but the tensors cover ${cursor} (${bufferLength - cursor} trailing bytes belong to no tensor)`);
  }
  return { entries, metadata };
}

/**
 * Converts one tensor's raw little-endian bytes. When `owned` is true, `raw` is a private, freshly
 * allocated buffer that the result may alias (no copy for F32/I32/U8/BOOL).
 */
function decodeTensor(entry: HeaderEntry, raw: Uint8Array, owned: boolean, source: string): SafetensorsTensor {
  const count = (entry.end - entry.begin) / ITEM_SIZE[entry.dtype];
  const { dtype, shape } = entry;
  switch (dtype) {
    case "F32":
    case "I32": {
      const Ctor = dtype === "F32" ? Float32Array : Int32Array;
      if (!LITTLE_ENDIAN_HOST) {
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        const out = new Ctor(count);
        for (let i = 0; i < count; i++) out[i] = dtype === "F32" ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true);
        return { dtype, shape, data: out };
      }
      if (owned && raw.byteOffset % 4 === 0) return { dtype, shape, data: new Ctor(raw.buffer as ArrayBuffer, raw.byteOffset, count) };
      const out = new Ctor(count);
      new Uint8Array(out.buffer).set(raw);
      return { dtype, shape, data: out };
    }
    case "F16":
      return { dtype, shape, data: decodeF16(raw, count) };
    case "BF16":
      return { dtype, shape, data: decodeBF16(raw, count) };
    case "I64": {
      // int32 holds every id/mask/label torch saves; a value outside it is an error, never a silent wrap.
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const lo = view.getInt32(8 * i, true);
        const hi = view.getInt32(8 * i + 4, true);
        if (hi !== lo >> 31) {
          const value = view.getBigInt64(8 * i, true);
          throw new SafetensorsError(source, `tensor "${entry.name}": I64 value ${value} at flat index ${i} does not fit in int32`);
        }
        out[i] = lo;
      }
      return { dtype, shape, data: out };
    }
    case "U8":
    case "BOOL":
      // new Uint8Array(raw) copies into a plain Uint8Array (Buffer#slice would return a view)
      return { dtype, shape, data: owned ? raw : new Uint8Array(raw) };
  }
}

/** Parses a whole safetensors file held in memory. `source` names it in errors. Data is copied. */
export function parseSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const n = headerLength(bytes.subarray(0, 8), bytes.length, source);
  const dataStart = 8 + n;
  const { entries, metadata } = parseHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, source);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    tensors.set(e.name, decodeTensor(e, bytes.subarray(dataStart + e.begin, dataStart + e.end), false, source));
  }
  return { tensors, metadata };
}

function ioError(file: string, action: string, error: unknown): SafetensorsError {
  const code = (error as NodeJS.ErrnoException).code;
  const detail = code === "ENOENT" ? "no such file" : (error as Error).message;
  return new SafetensorsError(file, `cannot ${action}: ${detail}`, { cause: error });
}

/** Reads exactly `length` bytes at `position` (a single read may return fewer, e.g. above 2 GiB). */
async function readExactly(fh: FileHandle, length: number, position: number, file: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(out, done, Math.min(length - done, 0x40000000), position + done);
    if (bytesRead === 0) throw new SafetensorsError(file, `file ended early while reading bytes ${position + done}..${position + length}`);
    done += bytesRead;
  }
  return out;
}

/**
 * Reads a .safetensors file. Each tensor is read into its own buffer, so peak memory is about the size
 * of the tensors (not twice the file).
 */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (error) {
    throw ioError(path, "open safetensors file", error);
  }
  try {
    const size = (await fh.stat()).size;
    const first8 = size >= 8 ? await readExactly(fh, 8, 0, path) : new Uint8Array(8);
    const n = headerLength(first8, size, path);
    const dataStart = 8 + n;
    const { entries, metadata } = parseHeader(await readExactly(fh, n, 8, path), size - dataStart, path);
    const tensors = new Map<string, SafetensorsTensor>();
    for (const e of entries) {
      const raw = await readExactly(fh, e.end - e.begin, dataStart + e.begin, path);
      tensors.set(e.name, decodeTensor(e, raw, true, path));
    }
    return { tensors, metadata };
  } catch (error) {
    if (error instanceof SafetensorsError) throw error;
    throw ioError(path, "read safetensors file", error);
  } finally {
    await fh.close();
  }
}

/** transformers' file names (SAFE_WEIGHTS_NAME / SAFE_WEIGHTS_INDEX_NAME). */
export const SAFE_WEIGHTS_NAME = "model.safetensors";
export const SAFE_WEIGHTS_INDEX_NAME = "model.safetensors.index.json";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads a model directory: `model.safetensors` if present (transformers checks it first), else the
 * shards listed in `model.safetensors.index.json` (`weight_map`: tensor name -> shard file). Returns the
 * tensors in weight_map order; shard metadata is merged (later shards win on a key clash).
 */
export async function readSafetensorsCheckpoint(dir: string): Promise<SafetensorsFile> {
  const single = join(dir, SAFE_WEIGHTS_NAME);
  if (await isFile(single)) return readSafetensors(single);
  const indexPath = join(dir, SAFE_WEIGHTS_INDEX_NAME);
  if (!(await isFile(indexPath))) {
    throw new SafetensorsError(dir, `no ${SAFE_WEIGHTS_NAME} or ${SAFE_WEIGHTS_INDEX_NAME} in this directory`);
  }
  let index: unknown;
  try {
    index = JSON.parse(await readFile(indexPath, "utf8"));
  } catch (error) {
    throw new SafetensorsError(indexPath, `not a valid JSON index (${(error as Error).message})`, { cause: error });
  }
  const weightMap = isPlainObject(index) ? index.weight_map : undefined;
  if (!isPlainObject(weightMap)) {
    throw new SafetensorsError(indexPath, `expected an object {"weight_map": {tensor name: shard file}}`);
  }
  const byShard = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== "string" || shard === "" || isAbsolute(shard) || normalize(shard).startsWith("..")) {
      throw new SafetensorsError(indexPath, `weight_map["${name}"] = ${JSON.stringify(shard)} is not a shard file name inside ${dir}`);
    }
    const names = byShard.get(shard) ?? [];
    names.push(name);
    byShard.set(shard, names);
  }
  const found = new Map<string, SafetensorsTensor>();
  const metadata: Record<string, string> = {};
  for (const [shard, names] of byShard) {
    const shardPath = join(dir, shard);
    const file = await readSafetensors(shardPath);
    Object.assign(metadata, file.metadata);
    for (const name of names) {
      const tensor = file.tensors.get(name);
      if (tensor === undefined) {
        throw new SafetensorsError(shardPath, `tensor "${name}" is mapped to this shard by ${SAFE_WEIGHTS_INDEX_NAME} but the shard lacks it`);
      }
      found.set(name, tensor);
    }
  }
  const tensors = new Map<string, SafetensorsTensor>();
  for (const name of Object.keys(weightMap)) tensors.set(name, found.get(name)!);
  return { tensors, metadata };
}

interface PreparedTensor {
  name: string;
  nameBytes: Uint8Array;
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

const DATA_KIND: Record<SafetensorsDtype, typeof Float32Array | typeof Int32Array | typeof Uint8Array> = {
  F32: Float32Array, F16: Float32Array, BF16: Float32Array, I64: Int32Array, I32: Int32Array, U8: Uint8Array, BOOL: Uint8Array,
};

function littleEndianBytes(data: Float32Array | Int32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(4 * i, data[i]!, true);
    else view.setInt32(4 * i, data[i]!, true);
  }
  return out;
}

function encodeTensor(name: string, tensor: SafetensorsTensor, file: string): PreparedTensor {
  const where = `tensor "${name}"`;
  const { dtype, shape, data } = tensor;
  if (!isDtype(dtype)) {
    throw new SafetensorsError(file, `${where}: cannot write dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(ITEM_SIZE).join(", ")})`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new SafetensorsError(file, `${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  const kind = DATA_KIND[dtype];
  if (!(data instanceof kind)) {
    const got = (data as unknown) === null || typeof data !== "object" ? String(data) : (data as object).constructor.name;
    throw new SafetensorsError(file, `${where}: dtype ${dtype} needs a ${kind.name}, got ${got}`);
  }
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel !== data.length) {
    throw new SafetensorsError(file, `${where}: shape [${shape.join(", ")}] holds ${numel} values but data has ${data.length}`);
  }
  let bytes: Uint8Array;
  switch (dtype) {
    case "F32":
    case "I32":
      bytes = littleEndianBytes(data as Float32Array | Int32Array);
      break;
    case "F16":
      bytes = encodeF16(data as Float32Array);
      break;
    case "BF16":
      bytes = encodeBF16(data as Float32Array);
      break;
    case "I64": {
      bytes = new Uint8Array(data.length * 8);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < data.length; i++) {
        view.setInt32(8 * i, data[i]!, true);
        view.setInt32(8 * i + 4, data[i]! < 0 ? -1 : 0, true); // sign extension
      }
      break;
    }
    case "U8":
      bytes = data as Uint8Array;
      break;
    case "BOOL": {
      const bad = (data as Uint8Array).findIndex((v) => v > 1);
      if (bad >= 0) throw new SafetensorsError(file, `${where}: BOOL value ${data[bad]} at flat index ${bad} is not 0 or 1`);
      bytes = data as Uint8Array;
      break;
    }
  }
  return { name, nameBytes: new TextEncoder().encode(name), dtype, shape: [...shape], bytes };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Builds the header bytes (space-padded to a multiple of 8) for tensors already in file order. */
function buildHeader(ordered: PreparedTensor[], metadata: Record<string, string> | undefined): Uint8Array {
  const parts: string[] = [];
  // Built by hand: a JS object would move integer-like names ("0", "1") to the front.
  if (metadata !== undefined) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const t of ordered) {
    const end = offset + t.bytes.byteLength;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  return padded;
}

/**
 * Writes a .safetensors file atomically: a temp file in the same directory, fsync, then rename over
 * `path`. Tensor order and header layout match the Rust crate (so files written here are byte-identical
 * to `safetensors.torch.save_file` output for the same tensors and metadata).
 */
export async function writeSafetensors(
  path: string,
  tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) throw new SafetensorsError(path, "metadata must be an object of string values");
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw new SafetensorsError(path, `metadata value for "${key}" is ${JSON.stringify(value)}, expected a string`);
      }
    }
  }
  const prepared = entries.map(([name, tensor]) => {
    if (name === "__metadata__") throw new SafetensorsError(path, `"__metadata__" is reserved and cannot name a tensor`);
    return encodeTensor(name, tensor, path);
  });
  // Rust `serialize`: dtype descending (enum order), then name ascending by bytes.
  prepared.sort((a, b) => DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype] || compareBytes(a.nameBytes, b.nameBytes));
  const header = buildHeader(prepared, metadata);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(header.length), true);

  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, "wx");
    await fh.write(prefix);
    await fh.write(header);
    for (const t of prepared) {
      // FileHandle.write may write fewer bytes than asked for; loop until done.
      let done = 0;
      while (done < t.bytes.byteLength) {
        const { bytesWritten } = await fh.write(t.bytes, done, t.bytes.byteLength - done);
        done += bytesWritten;
      }
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (error) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw ioError(path, "write safetensors file", error);
  }
}
