// Multi-head attention pieces shared by T5 and Llama: head split/merge, the batched products, softmax with an
// additive bias (position bias and/or mask), grouped-query key/value repetition.
//
// Layout: per-head tensors are [B, H, T, Dh]; the two products run on the 3-D view [B*H, T, Dh]. tfjs-backend-wasm
// has no XNNPACK path for a batched (3-D) matMul, so these are the one place the port accepts the slower kernel
// (see bench/attention.ts for the measured alternatives and README "Attention products").
import * as tf from "@tensorflow/tfjs";
import type { DropoutSeeds } from "./linear.ts";

/** [B, T, H*Dh] -> [B, H, T, Dh] */
export function splitHeads(x: tf.Tensor3D, heads: number, headDim: number): tf.Tensor4D {
  const [b, t] = x.shape;
  const x4 = tf.reshape<tf.Rank.R4>(x, [b, t, heads, headDim]); // [B, T, H, Dh]
  return tf.transpose(x4, [0, 2, 1, 3]); // [B, H, T, Dh]
}

/** [B, H, T, Dh] -> [B, T, H*Dh] */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [b, h, t, dh] = x.shape;
  const xt = tf.transpose(x, [0, 2, 1, 3]); // [B, T, H, Dh]
  return tf.reshape<tf.Rank.R3>(xt, [b, t, h * dh]); // [B, T, H*Dh]
}

/**
 * softmax(q k^T * scale + bias) v for q [B, H, T, Dh], k/v [B, H, S, Dh], bias broadcastable to [B, H, T, S]
 * (it carries the mask as MASK_VALUE, see layers.ts). Softmax in float32 like HF eager attention.
 */
export function attend(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor4D | null,
  scale: number,
  dropout?: { seeds: DropoutSeeds; rate: number },
): tf.Tensor4D {
  const [b, h, t, dh] = q.shape;
  const s = k.shape[2];
  const q3 = tf.reshape<tf.Rank.R3>(q, [b * h, t, dh]); // [B*H, T, Dh]
  const k3 = tf.reshape<tf.Rank.R3>(k, [b * h, s, dh]); // [B*H, S, Dh]
  // Batched product with transposeB: measured no slower than an explicit transpose (bench/forward.ts).
  let scores = tf.reshape<tf.Rank.R4>(tf.matMul(q3, k3, false, true), [b, h, t, s]); // [B, H, T, S]
  if (scale !== 1) scores = tf.mul(scores, scale);
  if (bias !== null) scores = tf.add(scores, bias);
  let probs = tf.softmax(scores, -1); // [B, H, T, S]
  if (dropout !== undefined) probs = dropout.seeds.apply(probs, dropout.rate);
  const v3 = tf.reshape<tf.Rank.R3>(v, [b * h, s, dh]); // [B*H, S, Dh]
  const out = tf.matMul(tf.reshape<tf.Rank.R3>(probs, [b * h, t, s]), v3); // [B*H, T, Dh]
  return tf.reshape<tf.Rank.R4>(out, [b, h, t, dh]); // [B, H, T, Dh]
}

/** transformers repeat_kv: [B, Hkv, S, Dh] -> [B, Hkv*nRep, S, Dh], head i uses kv head floor(i / nRep). */
export function repeatKv(x: tf.Tensor4D, nRep: number): tf.Tensor4D {
  if (nRep === 1) return x;
  const [b, hkv, s, dh] = x.shape;
  // concat of copies: its gradient is a slice-and-sum that the wasm backend has (tf.tile has no rank-5
  // gradient, and gather's gradient needs UnsortedSegmentSum, which tfjs-backend-wasm lacks).
  const x5 = tf.expandDims<tf.Tensor5D>(x, 2); // [B, Hkv, 1, S, Dh]
  const copies = tf.concat(new Array<tf.Tensor5D>(nRep).fill(x5), 2); // [B, Hkv, nRep, S, Dh]
  return tf.reshape<tf.Rank.R4>(copies, [b, hkv * nRep, s, dh]); // [B, H, S, Dh]
}

/** Key-padding bias [B, 1, 1, S]: 0 where mask is 1, MASK_VALUE where 0. */
export function paddingBias(attentionMask: tf.Tensor2D, maskValue: number): tf.Tensor4D {
  const [b, s] = attentionMask.shape;
  const keep = tf.cast(attentionMask, "float32");
  const bias = tf.mul(tf.sub(1, keep), maskValue); // [B, S]
  return tf.reshape<tf.Rank.R4>(bias, [b, 1, 1, s]); // [B, 1, 1, S]
}
