// Golden fixtures (test/fixtures, copied from /work/shared/golden by tools/slice_goldens.py) and the
// tolerance rule of the golden README: |got - ref| <= atol + rtol * |ref| elementwise.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { readSafetensors } from "@dept/runtime";
import { loadModel, type CheckpointTensor, type LoadedModel } from "../../src/index.ts";

export const FIXTURES = fileURLToPath(new URL("../fixtures", import.meta.url));
export const modelDir = (name: string): string => join(FIXTURES, "models", name);

export interface GoldenCase {
  json: Record<string, unknown>;
  tensors: Map<string, CheckpointTensor>;
}

export async function loadCase(model: string, name: string): Promise<GoldenCase> {
  const dir = join(FIXTURES, "cases", model, name);
  return {
    json: JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as Record<string, unknown>,
    tensors: (await readSafetensors(join(dir, "tensors.safetensors"))).tensors,
  };
}

export function tensor(c: GoldenCase, name: string): CheckpointTensor {
  const t = c.tensors.get(name);
  if (t === undefined) throw new Error(`golden tensor ${name} missing`);
  return t;
}

/** The tensor, checked to hold float32 data. */
export function f32(t: CheckpointTensor): CheckpointTensor & { data: Float32Array } {
  if (!(t.data instanceof Float32Array)) throw new Error(`expected a float32 golden tensor, got ${t.dtype}`);
  return t as CheckpointTensor & { data: Float32Array };
}

/** Nested number[][] of a 2-D int tensor. */
export function rows(t: CheckpointTensor): number[][] {
  const [b, l] = t.shape as [number, number];
  return Array.from({ length: b }, (_, r) => Array.from(t.data.subarray(r * l, (r + 1) * l)));
}

export function loadFixtureModel(name: string): Promise<LoadedModel> {
  return loadModel(modelDir(name));
}

export interface Tol {
  atol: number;
  rtol: number;
}

/** Max |got - ref| over entries where `where` (if given) is true, and the count of tolerance violations. */
export function compare(got: ArrayLike<number>, ref: ArrayLike<number>, tol: Tol, where?: (i: number) => boolean): { maxAbs: number; bad: number; firstBad: string } {
  if (got.length !== ref.length) throw new Error(`length ${got.length} != ${ref.length}`);
  let maxAbs = 0;
  let bad = 0;
  let firstBad = "";
  for (let i = 0; i < got.length; i++) {
    if (where !== undefined && !where(i)) continue;
    const g = got[i]!;
    const r = ref[i]!;
    const d = Math.abs(g - r);
    if (!(d <= tol.atol + tol.rtol * Math.abs(r))) {
      if (bad === 0) firstBad = `index ${i}: got ${g}, ref ${r}`;
      bad++;
    }
    if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
  }
  return { maxAbs, bad, firstBad };
}
