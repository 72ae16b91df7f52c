// Helpers to move adapter tensors between tf.Variables and plain {dtype, shape, data} records with shape checks
// whose errors name the file, the tensor, its shape and what the config/model expects.
import * as tf from "@tensorflow/tfjs";
import { AdapterLoadError } from "../errors.ts";
import type { RawTensor } from "./tensor.ts";

export function variableRecord(v: tf.Tensor, transpose = false): RawTensor {
  const t = transpose ? tf.tidy(() => tf.transpose(v)) : v;
  const data = t.dataSync() as Float32Array;
  const rec: RawTensor = { dtype: "F32", shape: [...t.shape], data: new Float32Array(data) };
  if (transpose) t.dispose();
  return rec;
}

/** Reads `key` as a float tensor of exactly `shape` (`why` explains where the expected shape comes from). */
export function takeFloat(tensors: ReadonlyMap<string, RawTensor>, key: string, shape: readonly number[], file: string, why: string): Float32Array {
  const t = tensors.get(key);
  if (t === undefined) throw new AdapterLoadError(file, `tensor '${key}' is missing`);
  if (!(t.data instanceof Float32Array)) throw new AdapterLoadError(file, `tensor '${key}' has dtype ${t.dtype}; expected a float type`);
  if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
    throw new AdapterLoadError(file, `tensor '${key}' has shape [${t.shape.join(", ")}]; expected [${shape.join(", ")}] (${why})`);
  }
  return t.data;
}

/** v <- data (of `shape`, the file layout), transposed first when the variable holds the transpose (LoRA). */
export function assignFrom(v: tf.Variable, data: Float32Array, shape: readonly number[], transpose = false): void {
  tf.tidy(() => {
    const t = tf.tensor(data, [...shape], "float32");
    v.assign(transpose ? tf.transpose(t) : t);
  });
}

/** Refuses tensors that none of the expected keys account for (a file for another method or model). */
export function refuseUnexpected(tensors: ReadonlyMap<string, RawTensor>, expected: ReadonlySet<string>, file: string): void {
  const extra = [...tensors.keys()].filter((k) => !expected.has(k));
  if (extra.length > 0) {
    const shown = extra.slice(0, 5).map((k) => `'${k}'`).join(", ");
    throw new AdapterLoadError(file, `unexpected tensor(s) ${shown}${extra.length > 5 ? ` and ${extra.length - 5} more` : ""} for this adapter config`);
  }
}
