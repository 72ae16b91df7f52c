// Global L2 gradient-norm clipping as torch.nn.utils.clip_grad_norm_ (norm_type 2, error_if_nonfinite False):
// total = ||(||g_1||, ..., ||g_n||)||_2 over every trainable gradient; clip_coef = max_norm / (total + 1e-6),
// clamped to <= 1; the gradients are multiplied by the clamped coefficient. The pre-clip total norm is what HF
// Trainer logs as `grad_norm`.
import * as tf from "@tensorflow/tfjs";
import { TrainerConfigError } from "./errors.ts";

/** torch clip_grad_norm_ adds this to the norm before dividing (torch/nn/utils/clip_grad.py). */
export const CLIP_EPSILON = 1e-6;

export interface ClipResult {
  /** Clipped gradients (new tensors; the caller owns and disposes them). Same keys as the input. */
  grads: Map<string, tf.Tensor>;
  /** Pre-clip global L2 norm (may be NaN/Inf when a gradient is non-finite). */
  totalNorm: number;
  /** The coefficient applied (1 when no clipping happened). */
  clipCoef: number;
}

/** The pre-clip global L2 norm of `grads`, as a float32 scalar computed on the backend. */
export function globalGradNorm(grads: ReadonlyMap<string, tf.Tensor>): number {
  if (grads.size === 0) return 0;
  const total = tf.tidy(() => tf.norm(tf.stack([...grads.values()].map((g) => tf.norm(g)))));
  const value = total.dataSync()[0]!;
  total.dispose();
  return value;
}

/**
 * Clips `grads` to global norm `maxNorm`. `maxNorm <= 0` or undefined/Infinity disables clipping (HF Trainer
 * skips clip_grad_norm_ when max_grad_norm is 0/None) but the norm is still measured for logging.
 */
export function clipGradNorm(grads: ReadonlyMap<string, tf.Tensor>, maxNorm: number | null): ClipResult {
  if (maxNorm !== null && Number.isNaN(maxNorm)) throw new TrainerConfigError("max_grad_norm must be a number, got NaN");
  const totalNorm = globalGradNorm(grads);
  const clipping = maxNorm !== null && maxNorm > 0 && Number.isFinite(maxNorm);
  // torch computes max_norm / (total + eps) in float32 on the norm tensor; Math.fround mirrors that rounding.
  // A non-finite norm is left for the caller to report (the trainer stops); the grads pass through unchanged.
  const coef = clipping && Number.isFinite(totalNorm) ? Math.min(1, Math.fround(maxNorm / Math.fround(totalNorm + CLIP_EPSILON))) : 1;
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) {
    out.set(name, coef < 1 ? tf.tidy(() => tf.mul(g, tf.scalar(coef))) : tf.clone(g));
  }
  return { grads: out, totalNorm, clipCoef: coef };
}
