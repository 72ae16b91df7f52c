// Shared test helpers: backend, fixture model loading, golden cases and the golden README tolerance rule.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadModel, modelFromCheckpoint, parseModelConfig, type LoadedModel } from "@dept/models";
import { initBackend, readSafetensors, type SafetensorsTensor } from "@dept/runtime";

export const FIXTURES = join(import.meta.dirname, "fixtures");
/** The tiny golden models, copied once for the whole repo by @dept/models (packages/models/test/fixtures). */
export const MODEL_FIXTURES = join(import.meta.dirname, "..", "..", "models", "test", "fixtures", "models");
/** The real t5-base tokenizer files (@dept/models keeps them in fixtures/tokenizers/t5; older trees in models/t5-tiny). */
const TOKENIZERS = join(import.meta.dirname, "..", "..", "models", "test", "fixtures", "tokenizers", "t5");
export const T5_TOKENIZER_DIR = existsSync(join(TOKENIZERS, "tokenizer.json")) ? TOKENIZERS : join(MODEL_FIXTURES, "t5-tiny");

/** @dept/runtime's initBackend: WASM (SIMD) unless DEPT_BACKEND says otherwise, cpu when wasm cannot start. */
export async function useTestBackend(): Promise<string> {
  return (await initBackend()).backend;
}

export async function loadFixtureModel(name: string): Promise<LoadedModel> {
  return loadModel(join(MODEL_FIXTURES, name));
}

export interface GoldenCase {
  dir: string;
  json: Record<string, unknown>;
  tensors: Map<string, SafetensorsTensor>;
  get(name: string): SafetensorsTensor;
  int2d(name: string): tf.Tensor2D;
}

export async function loadCase(model: string, name: string): Promise<GoldenCase> {
  const dir = join(FIXTURES, "cases", model, name);
  const tensors = (await readSafetensors(join(dir, "tensors.safetensors"))).tensors;
  const get = (n: string): SafetensorsTensor => {
    const t = tensors.get(n);
    if (t === undefined) throw new Error(`golden ${model}/${name}: tensor ${n} missing`);
    return t;
  };
  return {
    dir,
    json: JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as Record<string, unknown>,
    tensors,
    get,
    int2d: (n) => tf.tensor2d(get(n).data as Int32Array, get(n).shape as [number, number], "int32"),
  };
}

export interface Tol {
  atol: number;
  rtol: number;
  atol_rel_to_max?: number;
}

/** Golden rule: |got - ref| <= atol + rtol*|ref| (+ atol_rel_to_max * max|ref|) where `where(i)`. */
export function compare(got: ArrayLike<number>, ref: ArrayLike<number>, tol: Tol, where?: (i: number) => boolean): { maxAbs: number; bad: number } {
  if (got.length !== ref.length) throw new Error(`length ${got.length} != ${ref.length}`);
  let refMax = 0;
  for (let i = 0; i < ref.length; i++) refMax = Math.max(refMax, Math.abs(ref[i]!));
  const slack = (tol.atol_rel_to_max ?? 0) * refMax;
  let maxAbs = 0;
  let bad = 0;
  for (let i = 0; i < got.length; i++) {
    if (where !== undefined && !where(i)) continue;
    const diff = Math.abs(got[i]! - ref[i]!);
    if (!(diff <= tol.atol + slack + tol.rtol * Math.abs(ref[i]!))) bad++;
    maxAbs = Math.max(maxAbs, diff);
  }
  return { maxAbs, bad };
}

/** Row-major transpose of a 2-D array. */
export function transpose2d(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  return out;
}

/** Max diffs observed, printed once per file for the report. */
export const observed: Record<string, number> = {};
export function note(key: string, v: number): void {
  observed[key] = Math.max(observed[key] ?? 0, v);
}

/**
 * A small random T5 (1 encoder + 1 decoder layer, tiny vocab) of width `dModel`, built through @dept/models'
 * checkpoint import, for adapters of a width no fixture model has (the released t5-base DePT adapters, d = 768).
 */
export function syntheticT5(dModel: number, vocab = 40, seed = 1): LoadedModel {
  const heads = 4;
  const dKv = 16;
  const dFf = 32;
  const buckets = 32;
  const config = parseModelConfig(
    {
      model_type: "t5",
      vocab_size: vocab,
      d_model: dModel,
      d_kv: dKv,
      d_ff: dFf,
      num_layers: 1,
      num_decoder_layers: 1,
      num_heads: heads,
      relative_attention_num_buckets: buckets,
      relative_attention_max_distance: 128,
      feed_forward_proj: "relu",
      dropout_rate: 0,
      layer_norm_epsilon: 1e-6,
      decoder_start_token_id: 0,
      pad_token_id: 0,
      eos_token_id: 1,
    },
    "synthetic-t5/config.json",
  );
  let state = seed >>> 0;
  const rand = (n: number, scale: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      out[i] = ((state / 2 ** 32) * 2 - 1) * scale;
    }
    return out;
  };
  const t = new Map<string, SafetensorsTensor>();
  const put = (key: string, shape: number[], scale: number, ones = false): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    t.set(key, { dtype: "F32", shape, data: ones ? new Float32Array(n).fill(1) : rand(n, scale) });
  };
  const inner = heads * dKv;
  const attn = (p: string): void => {
    put(`${p}.q.weight`, [inner, dModel], 0.05);
    put(`${p}.k.weight`, [inner, dModel], 0.05);
    put(`${p}.v.weight`, [inner, dModel], 0.05);
    put(`${p}.o.weight`, [dModel, inner], 0.05);
  };
  put("shared.weight", [vocab, dModel], 1);
  attn("encoder.block.0.layer.0.SelfAttention");
  put("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", [buckets, heads], 0.5);
  put("encoder.block.0.layer.0.layer_norm.weight", [dModel], 0, true);
  put("encoder.block.0.layer.1.DenseReluDense.wi.weight", [dFf, dModel], 0.05);
  put("encoder.block.0.layer.1.DenseReluDense.wo.weight", [dModel, dFf], 0.05);
  put("encoder.block.0.layer.1.layer_norm.weight", [dModel], 0, true);
  put("encoder.final_layer_norm.weight", [dModel], 0, true);
  attn("decoder.block.0.layer.0.SelfAttention");
  put("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", [buckets, heads], 0.5);
  put("decoder.block.0.layer.0.layer_norm.weight", [dModel], 0, true);
  attn("decoder.block.0.layer.1.EncDecAttention");
  put("decoder.block.0.layer.1.layer_norm.weight", [dModel], 0, true);
  put("decoder.block.0.layer.2.DenseReluDense.wi.weight", [dFf, dModel], 0.05);
  put("decoder.block.0.layer.2.DenseReluDense.wo.weight", [dModel, dFf], 0.05);
  put("decoder.block.0.layer.2.layer_norm.weight", [dModel], 0, true);
  put("decoder.final_layer_norm.weight", [dModel], 0, true);
  return modelFromCheckpoint(config, t, "synthetic-t5/model.safetensors");
}
