// Frozen linear layers (weights from a checkpoint) with an optional LoRA branch, shared by T5 and Llama.
// y = x @ w  (+ scaling * dropout(x) @ a @ b when `lora` is set), as peft's LoraLayer (peft/tuners/lora/layer.py,
// Linear.forward) computes it for a bias-free base layer.
//
// WASM performance: tfjs-backend-wasm only reaches XNNPACK for a 2-D matMul without transposeA/transposeB; the
// default gradient of matMul uses transposed products. The frozen product therefore runs through tf.customGrad
// whose backward is dx = dy @ wT, a plain 2-D matMul against the torch-layout copy wT kept for that purpose.
import * as tf from "@tensorflow/tfjs";

export interface LoraBranch {
  a: tf.Variable; // [in, r]
  b: tf.Variable; // [r, out]
  scaling: number;
  dropout: number;
}

export interface Linear {
  w: tf.Tensor2D; // [in, out]
  wT: tf.Tensor2D; // [out, in], torch layout, used by the backward
  lora?: LoraBranch;
}

/** Options threaded through a forward: dropout is active only when `training` and needs an explicit seed. */
export interface ForwardOptions {
  training?: boolean;
  seed?: number;
  /** Recompute each transformer block in the backward instead of keeping its activations (see remat.ts). */
  checkpoint?: boolean;
}

/** A deterministic stream of dropout seeds for one forward call (tfjs has no global seed). */
export class DropoutSeeds {
  private next: number;
  constructor(readonly training: boolean, seed: number | undefined, readonly defaultRate = 0) {
    if (training && seed === undefined) {
      throw new Error("a training forward needs an explicit seed for its dropout masks (opts.seed)");
    }
    this.next = seed ?? 0;
  }
  /** A seed for a sub-stream (one block): a block re-run from it draws the same dropout masks. */
  forkSeed(): number {
    this.next = (this.next + 0x7f4a7c15) >>> 0;
    return this.next;
  }
  /** The sub-stream of a forkSeed() value. */
  derive(seed: number): DropoutSeeds {
    return new DropoutSeeds(this.training, seed, this.defaultRate);
  }
  /** inverted dropout (torch.nn.functional.dropout semantics: keep with 1-p, scale by 1/(1-p)). */
  apply<T extends tf.Tensor>(x: T, rate = this.defaultRate): T {
    if (!this.training || rate <= 0) return x;
    this.next = (this.next + 0x9e3779b9) >>> 0;
    return tf.dropout(x, rate, undefined, this.next) as T;
  }
}

/** x2d [N, in] @ w [in, out] with the backward dx = dy @ wT (no transposed or batched matMul). */
export function frozenMatMul(x2d: tf.Tensor2D, w: tf.Tensor2D, wT: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    return {
      value: tf.matMul<tf.Tensor2D>(x, w),
      gradFunc: (dy: tf.Tensor2D) => tf.matMul(dy, wT),
    };
  });
  return f(x2d);
}

/** Applies a Linear to [..., in] -> [..., out]; the product runs on the 2-D view [N, in]. */
export function linear<T extends tf.Tensor>(x: T, layer: Linear, dropout?: DropoutSeeds): T {
  const inDim = layer.w.shape[0];
  const outDim = layer.w.shape[1];
  const lead = x.shape.slice(0, -1);
  const x2d = tf.reshape<tf.Rank.R2>(x, [-1, inDim]); // [N, in]
  let y = frozenMatMul(x2d, layer.w, layer.wT); // [N, out]
  const lora = layer.lora;
  if (lora !== undefined) {
    const xd = dropout !== undefined ? dropout.apply(x2d, lora.dropout) : x2d;
    const delta = tf.matMul(tf.matMul(xd, lora.a), lora.b); // [N, r] -> [N, out]
    y = tf.add(y, tf.mul(delta, lora.scaling));
  }
  return tf.reshape(y, [...lead, outDim]) as T;
}

/** A Linear from a torch nn.Linear weight [out, in] (row-major data): wT is that tensor, w its transpose. */
export function linearFromTorch(weight: Float32Array, outDim: number, inDim: number): Linear {
  const wT = tf.tensor2d(weight, [outDim, inDim]); // [out, in]
  const w = tf.transpose(wT); // [in, out]
  return { w, wT };
}

export function disposeLinear(layer: Linear): void {
  layer.w.dispose();
  layer.wT.dispose();
}
