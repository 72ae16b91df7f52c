import { mkdtemp, readFile, readdir, rm, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SafetensorsError,
  SeededRandom,
  parseSafetensors,
  readSafetensors,
  readSafetensorsCheckpoint,
  writeSafetensors,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from "../src/index.ts";
import { encodeBF16, encodeF16 } from "../src/io/half.ts";

const FIXTURES = join(import.meta.dirname, "fixtures", "safetensors");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "dept-runtime-st-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Builds a safetensors byte image by hand (header object as given, no validation) for negative tests. */
function rawFile(header: unknown, data: Uint8Array, opts: { headerLength?: bigint } = {}): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, opts.headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectError(fn: () => unknown, problem: RegExp): SafetensorsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SafetensorsError);
    const e = error as SafetensorsError;
    expect(e.exitCode).toBe(2);
    expect(e.file).toBe("bad.safetensors");
    expect(e.problem).toMatch(problem);
    expect(e.message).toContain("bad.safetensors");
    return e;
  }
  throw new Error("expected a SafetensorsError");
}

type Expected = { metadata: Record<string, string>; tensors: Record<string, { dtype: SafetensorsDtype; shape: number[]; values: (number | string)[] }> };

function toNumber(v: number | string): number {
  return typeof v === "number" ? v : Number(v); // "NaN", "Infinity", "-Infinity"
}

describe("reading files written by the reference (Rust) safetensors writer", () => {
  it("decodes every dtype to the values torch sees", async () => {
    const expected = JSON.parse(await readFile(join(FIXTURES, "mixed.expected.json"), "utf8")) as Expected;
    const file = await readSafetensors(join(FIXTURES, "mixed.safetensors"));
    expect(file.metadata).toEqual(expected.metadata);
    expect([...file.tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, exp] of Object.entries(expected.tensors)) {
      const t = file.tensors.get(name)!;
      expect(t.dtype, name).toBe(exp.dtype);
      expect(t.shape, name).toEqual(exp.shape);
      const Ctor = { F32: Float32Array, F16: Float32Array, BF16: Float32Array, I64: Int32Array, I32: Int32Array, U8: Uint8Array, BOOL: Uint8Array }[exp.dtype];
      expect(t.data, name).toBeInstanceOf(Ctor);
      expect(Array.from(t.data), name).toEqual(exp.values.map(toNumber).map((v) => (Ctor === Float32Array ? Math.fround(v) : v)));
    }
  });

  it("parseSafetensors (in memory) agrees with readSafetensors (file handle)", async () => {
    const bytes = await readFile(join(FIXTURES, "mixed.safetensors"));
    const a = parseSafetensors(bytes, "mixed.safetensors");
    const b = await readSafetensors(join(FIXTURES, "mixed.safetensors"));
    expect(a).toEqual(b);
  });

  it("parses a file that sits at an odd offset inside a larger buffer (unaligned data is copied)", async () => {
    const bytes = await readFile(join(FIXTURES, "mixed.safetensors"));
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 1);
    const shifted = parseSafetensors(host.subarray(1, 1 + bytes.length), "shifted.safetensors");
    expect(shifted).toEqual(parseSafetensors(bytes, "mixed.safetensors"));
    // results never alias the input buffer
    host.fill(0);
    expect(shifted.tensors.get("i32")!.data[0]).toBe(7);
  });

  it("reads the golden DePT adapter (llama-tiny c_dept)", async () => {
    const file = await readSafetensors(join(FIXTURES, "llama-tiny-c_dept-adapter_model.safetensors"));
    expect(file.metadata).toEqual({ format: "pt" });
    expect([...file.tensors.entries()].map(([n, t]) => [n, t.dtype, t.shape])).toEqual([
      ["prompt_embeddings", "F32", [5, 32]],
      ["prompt_encoder.lora_embedding_A", "F32", [12, 4]],
      ["prompt_encoder.lora_embedding_B", "F32", [4, 32]],
    ]);
    // First values and float64 sums as read by safetensors.numpy.load_file (see test/fixtures/README.md).
    const p = file.tensors.get("prompt_embeddings")!.data;
    expect(Array.from(p.subarray(0, 3))).toEqual([0.10647303611040115, -0.0456763356924057, -0.26890668272972107]);
    const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
    expect(sum(p)).toBeCloseTo(-1.243472478352487, 12);
    expect(sum(file.tensors.get("prompt_encoder.lora_embedding_A")!.data)).toBeCloseTo(2.4153770208358765, 12);
    expect(sum(file.tensors.get("prompt_encoder.lora_embedding_B")!.data)).toBeCloseTo(13.231032697949558, 12);
  });
});

describe("writer", () => {
  it("reproduces the reference writer's bytes exactly (order, header, padding, every dtype)", async () => {
    for (const name of ["mixed.safetensors", "llama-tiny-c_dept-adapter_model.safetensors"]) {
      const original = await readFile(join(FIXTURES, name));
      const file = parseSafetensors(original, name);
      const out = join(tmp, name);
      await writeSafetensors(out, file.tensors, file.metadata);
      expect(Buffer.compare(await readFile(out), original), name).toBe(0);
    }
  });

  it("round-trips every dtype (Record input, no metadata -> no __metadata__ key)", async () => {
    const tensors: Record<string, SafetensorsTensor> = {
      f32: { dtype: "F32", shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, -0, Infinity]) },
      f16: { dtype: "F16", shape: [3], data: Float32Array.from([0.5, -65504, 6.103515625e-5]) },
      bf16: { dtype: "BF16", shape: [2], data: Float32Array.from([1.5, -3.0517578125e-5]) },
      i64: { dtype: "I64", shape: [3], data: Int32Array.from([-2147483648, -1, 2147483647]) },
      i32: { dtype: "I32", shape: [1, 2], data: Int32Array.from([-5, 6]) },
      u8: { dtype: "U8", shape: [3], data: Uint8Array.from([0, 128, 255]) },
      bool: { dtype: "BOOL", shape: [2], data: Uint8Array.from([1, 0]) },
      empty: { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
      scalar: { dtype: "I32", shape: [], data: Int32Array.from([9]) },
    };
    const path = join(tmp, "roundtrip.safetensors");
    await writeSafetensors(path, tensors);
    const back = await readSafetensors(path);
    expect(back.metadata).toEqual({});
    expect(Object.fromEntries(back.tensors)).toEqual(tensors);
    const bytes = await readFile(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    expect(bytes.subarray(8, 8 + n).toString("utf8")).not.toContain("__metadata__");
  });

  it("rounds F16/BF16 exactly like torch (nearest even, overflow to inf, subnormals)", async () => {
    const r = JSON.parse(await readFile(join(FIXTURES, "rounding.json"), "utf8")) as { f32_bits: number[]; f16_bits: number[]; bf16_bits: number[] };
    const values = new Float32Array(Uint32Array.from(r.f32_bits).buffer);
    const u16 = (b: Uint8Array) => Array.from(new Uint16Array(b.buffer, b.byteOffset, b.length / 2));
    expect(u16(encodeF16(values))).toEqual(r.f16_bits);
    expect(u16(encodeBF16(values))).toEqual(r.bf16_bits);
  });

  it("is atomic: no temp file is left behind and a failed write leaves the old file intact", async () => {
    const dir = await mkdtemp(join(tmp, "atomic-"));
    const path = join(dir, "a.safetensors");
    await writeSafetensors(path, { x: { dtype: "F32", shape: [1], data: Float32Array.from([1]) } });
    const before = await readFile(path);
    await expect(writeSafetensors(path, { x: { dtype: "F32", shape: [2], data: Float32Array.from([1]) } })).rejects.toThrow(/holds 2 values but data has 1/);
    expect(Buffer.compare(await readFile(path), before)).toBe(0);
    expect(await readdir(dir)).toEqual(["a.safetensors"]);
    // a missing directory is an I/O error with the typed error
    await expect(writeSafetensors(join(dir, "nope", "b.safetensors"), {})).rejects.toBeInstanceOf(SafetensorsError);
    expect(await readdir(dir)).toEqual(["a.safetensors"]);
  });

  it("rejects bad tensors with a typed error naming the tensor", async () => {
    const path = join(tmp, "bad-write.safetensors");
    const cases: [Record<string, SafetensorsTensor>, RegExp][] = [
      [{ w: { dtype: "F32", shape: [1], data: Int32Array.from([1]) } }, /tensor "w": dtype F32 needs a Float32Array, got Int32Array/],
      [{ w: { dtype: "F64" as SafetensorsDtype, shape: [1], data: Float32Array.from([1]) } }, /cannot write dtype "F64"/],
      [{ w: { dtype: "BOOL", shape: [1], data: Uint8Array.from([2]) } }, /BOOL value 2/],
      [{ w: { dtype: "I32", shape: [-1], data: Int32Array.from([1]) } }, /shape \[-1\]/],
      [{ __metadata__: { dtype: "I32", shape: [1], data: Int32Array.from([1]) } }, /reserved/],
    ];
    for (const [tensors, problem] of cases) {
      const error = await writeSafetensors(path, tensors).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(SafetensorsError);
      expect((error as SafetensorsError).problem).toMatch(problem);
    }
    await expect(writeSafetensors(path, {}, { n: 1 } as unknown as Record<string, string>)).rejects.toThrow(/metadata value for "n"/);
  });
});

describe("validation (typed SafetensorsError, exit code 2)", () => {
  const f32 = (n: number) => new Uint8Array(n * 4);
  const entry = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: "F32", shape, data_offsets: [begin, end] });

  it("file shorter than 8 bytes", () => {
    expectError(() => parseSafetensors(new Uint8Array(5), "bad.safetensors"), /5 bytes, shorter than the 8-byte/);
  });

  it("truncated file: header length past the end", async () => {
    const good = await readFile(join(FIXTURES, "mixed.safetensors"));
    expectError(() => parseSafetensors(good.subarray(0, 100), "bad.safetensors"), /runs past the end of the 100-byte file/);
    // truncated inside the data buffer: the tensors no longer fit
    expectError(() => parseSafetensors(good.subarray(0, good.length - 1), "bad.safetensors"), /out of the 223-byte data buffer/);
  });

  it("oversized header length", () => {
    const bytes = rawFile({}, new Uint8Array(0), { headerLength: 100_000_001n });
    expectError(() => parseSafetensors(bytes, "bad.safetensors"), /header length 100000001 exceeds the 100000000-byte limit/);
    const huge = rawFile({}, new Uint8Array(0), { headerLength: 0xffff_ffff_ffff_ffffn });
    expectError(() => parseSafetensors(huge, "bad.safetensors"), /exceeds/);
  });

  it("header not JSON / not an object", () => {
    expectError(() => parseSafetensors(rawFile("{not json", new Uint8Array(0)), "bad.safetensors"), /not valid JSON/);
    expectError(() => parseSafetensors(rawFile("[1,2]", new Uint8Array(0)), "bad.safetensors"), /not an object/);
    expectError(() => parseSafetensors(rawFile("null", new Uint8Array(0)), "bad.safetensors"), /not an object/);
    const badUtf8 = rawFile("{}", new Uint8Array(0));
    badUtf8[9] = 0xff;
    expectError(() => parseSafetensors(badUtf8, "bad.safetensors"), /not valid UTF-8/);
  });

  it("unknown and unsupported dtypes", () => {
    expectError(() => parseSafetensors(rawFile({ w: { dtype: "Q4", shape: [1], data_offsets: [0, 4] } }, f32(1)), "bad.safetensors"),
      /tensor "w": unknown dtype "Q4" \(supported: F32, F16, BF16, I64, I32, U8, BOOL\)/);
    expectError(() => parseSafetensors(rawFile({ w: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), "bad.safetensors"),
      /unsupported dtype F64/);
  });

  it("shape x itemsize must equal the byte range", () => {
    expectError(() => parseSafetensors(rawFile({ w: entry(0, 12, [2, 2]) }, f32(3)), "bad.safetensors"),
      /tensor "w": shape \[2, 2\] x F32 needs 16 bytes but data_offsets \[0, 12\] span 12/);
    expectError(() => parseSafetensors(rawFile({ w: { dtype: "F32", shape: [1.5], data_offsets: [0, 4] } }, f32(1)), "bad.safetensors"), /shape/);
    expectError(() => parseSafetensors(rawFile({ w: { dtype: "F32", shape: [1], data_offsets: [0] } }, f32(1)), "bad.safetensors"), /data_offsets/);
  });

  it("offsets out of the buffer", () => {
    expectError(() => parseSafetensors(rawFile({ w: entry(0, 8) }, f32(1)), "bad.safetensors"), /out of the 4-byte data buffer/);
  });

  it("overlapping, holes and trailing bytes", () => {
    expectError(() => parseSafetensors(rawFile({ a: entry(0, 8), b: entry(4, 12) }, f32(3)), "bad.safetensors"),
      /tensor "b" \[4, 12\] overlaps tensor "a"/);
    expectError(() => parseSafetensors(rawFile({ a: entry(0, 4), b: entry(8, 12) }, f32(3)), "bad.safetensors"), /hole in the data buffer: bytes \[4, 8\)/);
    expectError(() => parseSafetensors(rawFile({ a: entry(0, 4) }, f32(2)), "bad.safetensors"), /4 trailing bytes/);
    // a valid file with out-of-order offsets is fine (only the tiling matters)
    const ok = parseSafetensors(rawFile({ b: entry(4, 8), a: entry(0, 4) }, f32(2)), "ok.safetensors");
    expect([...ok.tensors.keys()]).toEqual(["b", "a"]);
  });

  it("bad metadata", () => {
    expectError(() => parseSafetensors(rawFile({ __metadata__: { format: 1 } }, new Uint8Array(0)), "bad.safetensors"), /__metadata__ value for "format" is 1/);
    expectError(() => parseSafetensors(rawFile({ __metadata__: ["pt"] }, new Uint8Array(0)), "bad.safetensors"), /__metadata__ must be an object/);
  });

  it("I64 values outside int32 name the tensor", () => {
    const data = new Uint8Array(16);
    new DataView(data.buffer).setBigInt64(8, 2n ** 31n, true);
    expectError(() => parseSafetensors(rawFile({ ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, data), "bad.safetensors"),
      /tensor "ids": I64 value 2147483648 at flat index 1 does not fit in int32/);
  });

  it("corrupted headers only ever produce SafetensorsError (seeded byte mutations)", async () => {
    const good = await readFile(join(FIXTURES, "mixed.safetensors"));
    const n = Number(good.readBigUInt64LE(0));
    const rng = new SeededRandom(2024);
    let rejected = 0;
    for (let trial = 0; trial < 500; trial++) {
      const bytes = Uint8Array.from(good);
      const flips = 1 + (rng.nextUint32() % 3);
      for (let k = 0; k < flips; k++) bytes[rng.nextUint32() % (8 + n)] = rng.nextUint32() & 0xff;
      try {
        parseSafetensors(bytes, "fuzz.safetensors");
      } catch (error) {
        expect(error, `trial ${trial}`).toBeInstanceOf(SafetensorsError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(250); // most random edits break the header
  });

  it("readSafetensors reports missing files and bad files with the path", async () => {
    const missing = join(tmp, "missing.safetensors");
    await expect(readSafetensors(missing)).rejects.toMatchObject({ file: missing, problem: expect.stringMatching(/no such file/) as unknown, exitCode: 2 });
    const short = join(tmp, "short.safetensors");
    await writeFile(short, new Uint8Array(3));
    await expect(readSafetensors(short)).rejects.toMatchObject({ file: short, problem: expect.stringMatching(/3 bytes/) as unknown });
    const good = await readFile(join(FIXTURES, "mixed.safetensors"));
    const truncated = join(tmp, "truncated.safetensors");
    await writeFile(truncated, good.subarray(0, good.length - 10));
    await expect(readSafetensors(truncated)).rejects.toThrow(SafetensorsError);
  });
});

describe("readSafetensorsCheckpoint", () => {
  it("merges shards listed in model.safetensors.index.json", async () => {
    const file = await readSafetensorsCheckpoint(join(FIXTURES, "sharded"));
    expect([...file.tensors.keys()]).toEqual(["embed.weight", "layer.0.w", "layer.1.w", "lm_head.weight"]);
    expect(Array.from(file.tensors.get("embed.weight")!.data)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(Array.from(file.tensors.get("layer.1.w")!.data)).toEqual([2, 2, 2, 2]);
    expect(file.metadata).toEqual({ format: "pt" });
  });

  it("prefers model.safetensors, like transformers", async () => {
    const dir = await mkdtemp(join(tmp, "single-"));
    await cp(join(FIXTURES, "sharded"), dir, { recursive: true });
    await writeSafetensors(join(dir, "model.safetensors"), { only: { dtype: "I32", shape: [1], data: Int32Array.from([3]) } });
    const file = await readSafetensorsCheckpoint(dir);
    expect([...file.tensors.keys()]).toEqual(["only"]);
  });

  it("errors when a shard lacks a mapped tensor, for a bad index, and for an empty dir", async () => {
    const dir = await mkdtemp(join(tmp, "shards-"));
    await cp(join(FIXTURES, "sharded"), dir, { recursive: true });
    const indexPath = join(dir, "model.safetensors.index.json");
    const index = JSON.parse(await readFile(indexPath, "utf8")) as { weight_map: Record<string, string> };
    index.weight_map["extra.bias"] = "model-00002-of-00002.safetensors";
    await writeFile(indexPath, JSON.stringify(index));
    await expect(readSafetensorsCheckpoint(dir)).rejects.toMatchObject({
      file: join(dir, "model-00002-of-00002.safetensors"),
      problem: expect.stringMatching(/tensor "extra.bias" is mapped to this shard/) as unknown,
    });
    index.weight_map["extra.bias"] = "../outside.safetensors";
    await writeFile(indexPath, JSON.stringify(index));
    await expect(readSafetensorsCheckpoint(dir)).rejects.toThrow(/not a shard file name/);
    await writeFile(indexPath, "{}");
    await expect(readSafetensorsCheckpoint(dir)).rejects.toThrow(/weight_map/);
    const empty = await mkdtemp(join(tmp, "empty-"));
    await expect(readSafetensorsCheckpoint(empty)).rejects.toMatchObject({ file: empty, exitCode: 2 });
  });
});
