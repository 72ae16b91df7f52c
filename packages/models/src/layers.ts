// Small building blocks shared by the model files: RMS norm, activations, the additive attention mask value,
// token cross-entropy. Each follows the transformers function named in its comment.
import * as tf from "@tensorflow/tfjs";
import type { Activation } from "./config.ts";

/** torch.finfo(torch.float32).min: HF's additive mask value. Finite, so a fully masked row never turns into NaN
 *  (gotcha 1 of the golden README); added exactly once per score so it cannot overflow to -Infinity. */
export const MASK_VALUE = -3.4028234663852886e38;

/** T5LayerNorm / LlamaRMSNorm: x * rsqrt(mean(x^2) + eps) * weight; no mean subtraction, no bias. */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul<T>(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** transformers.activations.ACT2FN: relu, gelu (exact erf), gelu_new (tanh approximation), silu. */
export function activate<T extends tf.Tensor>(x: T, act: Activation): T {
  switch (act) {
    case "relu":
      return tf.relu(x);
    case "silu":
      return tf.mul<T>(x, tf.sigmoid(x));
    case "gelu":
      return tf.mul<T>(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    case "gelu_new": {
      // NewGELUActivation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), SQRT_2_OVER_PI);
      return tf.mul<T>(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
    }
  }
}

/** Label value ignored by the loss (torch CrossEntropyLoss ignore_index). */
export const IGNORE_INDEX = -100;

/**
 * Mean token cross-entropy of logits [N, V] against labels [N] (int32) over labels != -100, as
 * torch.nn.CrossEntropyLoss(ignore_index=-100) computes it. Returns NaN when every label is ignored (as torch).
 */
export function crossEntropyLoss(logits2d: tf.Tensor2D, labels1d: tf.Tensor1D): tf.Scalar {
  const vocab = logits2d.shape[1];
  const valid = tf.notEqual(labels1d, IGNORE_INDEX);
  const safeLabels = tf.where(valid, labels1d, tf.zerosLike(labels1d));
  const logp = tf.logSoftmax(logits2d); // [N, V]
  const picked = tf.sum(tf.mul(logp, tf.oneHot(safeLabels, vocab)), -1); // [N]
  const validF = tf.cast(valid, "float32");
  return tf.div<tf.Scalar>(tf.neg(tf.sum(tf.mul(picked, validF))), tf.sum(validF));
}

/** Embedding lookup: table [V, d], ids [B, S] -> [B, S, d]. */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor3D {
  const [b, s] = ids.shape;
  const flat = tf.gather(table, tf.reshape<tf.Rank.R1>(tf.cast(ids, "int32"), [b * s])); // [B*S, d]
  return tf.reshape<tf.Rank.R3>(flat, [b, s, table.shape[1]]); // [B, S, d]
}
