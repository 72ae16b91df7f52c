// Helpers for the golden trajectory case t5-tiny/f_dept_train (copied into test/fixtures/f_dept_train; see
// test/fixtures/README.md): slicing step-stacked tensors and the README's tolerance rule.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readSafetensors, type SafetensorsTensor } from "@dept/runtime";

type TestTensor = SafetensorsTensor;

export const CASE_DIR = fileURLToPath(new URL("../fixtures/f_dept_train/", import.meta.url));

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface GoldenCase {
  json: {
    lr_P: number[];
    lr_AB: number[];
    grad_norms: number[];
    clip_coefs: number[];
    clip_grad_norm: number;
    steps: number;
    optimizer: { betas: [number, number]; eps: number; weight_decay: number; param_groups: { params: string[]; lr: number }[] };
    scheduler: { num_warmup_steps: number; num_training_steps: number };
    clip_low: { max_grad_norm: number; clip_coefs: number[]; clipping_active_steps: number[] };
    tolerances: Record<"train_loss" | "lr" | "grad_norm" | "train_params", Tolerance>;
  };
  tensors: Map<string, TestTensor>;
}

export async function loadGoldenCase(): Promise<GoldenCase> {
  return {
    json: JSON.parse(readFileSync(`${CASE_DIR}case.json`, "utf8")) as GoldenCase["json"],
    tensors: (await readSafetensors(`${CASE_DIR}tensors.safetensors`)).tensors,
  };
}

export function tensor(c: GoldenCase, name: string): TestTensor {
  const t = c.tensors.get(name);
  if (t === undefined) throw new Error(`golden tensor '${name}' missing`);
  return t;
}

/** Row k of a step-stacked tensor [K, ...rest] as {shape: rest, data}. */
export function stepSlice(t: TestTensor, k: number): { shape: number[]; data: Float32Array } {
  const rest = t.shape.slice(1);
  const size = rest.reduce((a, b) => a * b, 1);
  return { shape: rest, data: (t.data as Float32Array).slice(k * size, (k + 1) * size) };
}

/** Worst |got-ref| and worst excess over atol + rtol*|ref| (<= 0 means within tolerance). */
export function compare(got: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance): { maxAbs: number; worstExcess: number } {
  if (got.length !== ref.length) throw new Error(`length mismatch ${got.length} vs ${ref.length}`);
  let maxAbs = 0;
  let worstExcess = -Infinity;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const d = Math.abs(got[i]! - r);
    if (!(d <= maxAbs)) maxAbs = d; // NaN propagates
    const excess = d - (tol.atol + tol.rtol * Math.abs(r));
    if (!(excess <= worstExcess)) worstExcess = excess;
  }
  return { maxAbs, worstExcess };
}
