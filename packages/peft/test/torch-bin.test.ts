import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTorchBin, readTorchBin, TorchPickleError } from "../src/index.ts";

const FIX = join(import.meta.dirname, "fixtures");

/** Test-only reader of the F32 safetensors twins (8-byte header length, JSON header, raw little-endian data). */
function safetensorsF32(path: string): Map<string, { shape: number[]; data: Float32Array }> {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, v] of Object.entries(header)) {
    if (k === "__metadata__") continue;
    const start = 8 + n + v.data_offsets[0];
    const buf = bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + 8 + n + v.data_offsets[1]);
    out.set(k, { shape: v.shape, data: new Float32Array(buf) });
  }
  return out;
}

interface Stat { key: string; shape: number[]; stats: { first5: number[]; abs_max: number } }
const STATS = JSON.parse(readFileSync(join(FIX, "dept-checkpoints", "tensor-stats.json"), "utf8")) as Record<string, Stat[]>;

describe("restricted torch .bin reader", () => {
  it.each(["cola", "superglue-wic"])("released %s adapter_model.bin equals its safetensors twin bit for bit", async (task) => {
    const bin = await readTorchBin(join(FIX, "dept-checkpoints", task, "adapter_model.bin"));
    const st = safetensorsF32(join(FIX, "dept-checkpoints", task, "adapter_model.safetensors"));
    expect([...bin.keys()].sort()).toEqual([...st.keys()].sort());
    for (const [k, t] of bin) {
      const ref = st.get(k)!;
      expect(t.dtype).toBe("F32");
      expect(t.shape).toEqual(ref.shape);
      expect(Buffer.from((t.data as Float32Array).buffer).equals(Buffer.from(ref.data.buffer))).toBe(true);
    }
    for (const s of STATS[task]!) {
      const t = bin.get(s.key)!;
      expect(t.shape).toEqual(s.shape);
      expect(Array.from(t.data.subarray(0, 5))).toEqual(s.stats.first5.map((x) => Math.fround(x)));
      expect(Math.max(...Array.from(t.data, Math.abs))).toBe(Math.fround(s.stats.abs_max));
    }
  });
  it("cola holds P [80,768], A [256,15], B [15,768]", async () => {
    const bin = await readTorchBin(join(FIX, "dept-checkpoints", "cola", "adapter_model.bin"));
    expect(bin.get("prompt_embeddings")!.shape).toEqual([80, 768]);
    expect(bin.get("prompt_encoder.lora_embedding_A")!.shape).toEqual([256, 15]);
    expect(bin.get("prompt_encoder.lora_embedding_B")!.shape).toEqual([15, 768]);
  });
  it("reads a small hand-built state dict", async () => {
    const t = (await readTorchBin(join(FIX, "pickle", "ok-small.bin"))).get("w")!;
    expect(t.shape).toEqual([2]);
    expect(Array.from(t.data)).toEqual([1.5, -2]);
  });
  it("refuses os.system without executing it", async () => {
    await expect(readTorchBin(join(FIX, "pickle", "evil-os-system.bin"))).rejects.toThrow(TorchPickleError);
    await expect(readTorchBin(join(FIX, "pickle", "evil-os-system.bin"))).rejects.toThrow(/refused pickle global 'os\.system'.*never executes code/);
  });
  it("refuses builtins.eval hidden after a valid tensor entry", async () => {
    await expect(readTorchBin(join(FIX, "pickle", "evil-builtins-eval.bin"))).rejects.toThrow(/refused pickle global 'builtins\.eval'/);
  });
  it("refuses opcodes that build arbitrary objects", () => {
    // Replace the data.pkl bytes of ok-small.bin by a pickle using INST (0x69), kept the same length by padding.
    const bytes = new Uint8Array(readFileSync(join(FIX, "pickle", "ok-small.bin")));
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x80, 0x02, 0x7d]));
    bytes[at + 2] = 0x69;
    expect(() => parseTorchBin(bytes, "inst.bin")).toThrow(/inst\.bin: refused pickle opcode 0x69 \(INST\)/);
  });
  it("refuses non-zip and legacy files with a clear error", () => {
    expect(() => parseTorchBin(new Uint8Array([1, 2, 3, 4]), "x.bin")).toThrow(/x\.bin: not a zip archive/);
    expect(() => parseTorchBin(new Uint8Array([0x80, 0x02, 0x8a, 0x0a]), "old.bin")).toThrow(/legacy \(pre-1\.6, non-zip\)/);
  });
  it("a missing file is a TorchPickleError naming the path", async () => {
    await expect(readTorchBin(join(FIX, "nope.bin"))).rejects.toThrow(/nope\.bin: cannot read/);
  });
});
