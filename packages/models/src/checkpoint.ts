// Reading named weights out of a checkpoint's tensor map with shape checks. Problems (missing keys, wrong
// shapes, unexpected keys, non-float dtypes) are collected and reported together in one ModelLoadError, so a
// user sees every mismatch of a checkpoint at once.
import * as tf from "@tensorflow/tfjs";
import { ModelLoadError } from "./errors.ts";
import { linearFromTorch, type Linear } from "./linear.ts";

/** Structurally the same as @dept/runtime's SafetensorsTensor (F16/BF16 already widened to Float32Array). */
export interface CheckpointTensor {
  dtype: string;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export class CheckpointReader {
  private readonly used = new Set<string>();
  private readonly missing: string[] = [];
  private readonly misshaped: string[] = [];
  private readonly created: tf.Tensor[] = [];

  constructor(
    private readonly tensors: ReadonlyMap<string, CheckpointTensor>,
    private readonly file: string,
  ) {}

  /** Float32 data of `key`, checked against `shape`; zeros (and a recorded problem) when absent or wrong. */
  private data(key: string, shape: readonly number[]): Float32Array {
    const t = this.tensors.get(key);
    const size = shape.reduce((a, b) => a * b, 1);
    if (t === undefined) {
      this.missing.push(`${key} [${shape.join(", ")}]`);
      return new Float32Array(size);
    }
    this.used.add(key);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      this.misshaped.push(`${key}: expected [${shape.join(", ")}], got [${t.shape.join(", ")}]`);
      return new Float32Array(size);
    }
    if (!(t.data instanceof Float32Array)) {
      this.misshaped.push(`${key}: expected a float tensor, got dtype ${t.dtype}`);
      return new Float32Array(size);
    }
    return t.data;
  }

  has(key: string): boolean {
    return this.tensors.has(key);
  }

  /** Marks a key present in the checkpoint as knowingly unused (e.g. a tied duplicate HF also ignores). */
  ignore(key: string): void {
    if (this.tensors.has(key)) this.used.add(key);
  }

  /** torch nn.Linear weight [out, in] -> Linear { w [in, out], wT [out, in] }. */
  linear(key: string, outDim: number, inDim: number): Linear {
    const lin = linearFromTorch(this.data(key, [outDim, inDim]), outDim, inDim);
    this.created.push(lin.w, lin.wT);
    return lin;
  }

  vector(key: string, n: number): tf.Tensor1D {
    const t = tf.tensor1d(this.data(key, [n]));
    this.created.push(t);
    return t;
  }

  matrix(key: string, rows: number, cols: number): tf.Tensor2D {
    const t = tf.tensor2d(this.data(key, [rows, cols]), [rows, cols]);
    this.created.push(t);
    return t;
  }

  /** Registers a tensor derived from checkpoint weights so a failed load disposes it too. */
  track<T extends tf.Tensor>(t: T): T {
    this.created.push(t);
    return t;
  }

  /** Throws (after disposing every tensor made) if anything was missing, mis-shaped or left unused. */
  finish(ignorable: readonly RegExp[] = []): void {
    const unexpected = [...this.tensors.keys()].filter((k) => !this.used.has(k) && !ignorable.some((re) => re.test(k)));
    if (this.missing.length === 0 && this.misshaped.length === 0 && unexpected.length === 0) return;
    for (const t of this.created) t.dispose();
    const parts: string[] = [];
    if (this.missing.length > 0) parts.push(`missing keys: ${this.missing.join("; ")}`);
    if (this.misshaped.length > 0) parts.push(`wrong shapes: ${this.misshaped.join("; ")}`);
    if (unexpected.length > 0) parts.push(`unexpected keys: ${unexpected.join("; ")}`);
    throw new ModelLoadError(this.file, `checkpoint does not match the config: ${parts.join(" | ")}`);
  }
}
