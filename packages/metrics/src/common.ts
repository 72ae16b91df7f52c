// Helpers shared by the metric families: the reporting scale, input checks, and numpy's mean.
//
// numpy reduces float64 sums with pairwise summation (numpy/_core/src/umath/loops_utils.h.src,
// `pairwise_sum`): fewer than 8 values are added left to right, up to 128 values go through 8 interleaved
// accumulators, longer arrays are split in two (the first half a multiple of 8) and summed recursively.
// DePT's accuracy and SQuAD EM/F1 are `np.mean(...)` results, so reproducing this order keeps our values
// bit-identical to the reference for long evaluation sets, not just equal within rounding noise.
import { MetricInputError } from "./errors.ts";

/** "percent": x100 as DePT reports (default); "fraction": the 0-1 value, as Hugging Face `evaluate` reports. */
export type MetricScale = "percent" | "fraction";

export interface MetricOptions {
  readonly scale?: MetricScale;
}

/** DePT multiplies every metric by 100 (src/metrics.py); the fraction scale skips that step. */
export function scaleValue(raw: number, opts: MetricOptions | undefined): number {
  const scale = opts?.scale ?? "percent";
  if (scale === "percent") return 100 * raw;
  if (scale === "fraction") return raw;
  throw new MetricInputError(`metric scale must be "percent" or "fraction", got ${JSON.stringify(scale)}`);
}

/** Predictions and targets are paired by position, as in the reference's zip/np.array comparisons. */
export function checkPaired(metric: string, predictions: readonly unknown[], targets: readonly unknown[]): void {
  if (predictions.length !== targets.length) {
    throw new MetricInputError(
      `${metric}: ${predictions.length} predictions but ${targets.length} references (they must pair up one to one)`,
    );
  }
}

/** The sklearn/scipy functions DePT calls raise on empty input; we say so instead of returning a number. */
export function checkNonEmpty(metric: string, n: number, atLeast = 1): void {
  if (n < atLeast) {
    throw new MetricInputError(`${metric}: needs at least ${atLeast} example${atLeast === 1 ? "" : "s"}, got ${n}`);
  }
}

/** numpy's block size for pairwise summation (PW_BLOCKSIZE). */
const PW_BLOCKSIZE = 128;

function pairwiseSum(values: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = -0;
    for (let i = 0; i < n; i++) res += values[start + i]!;
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = values[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j]! += values[start + i + j]!;
    }
    const [r0, r1, r2, r3, r4, r5, r6, r7] = r as [number, number, number, number, number, number, number, number];
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += values[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(values, start, n2) + pairwiseSum(values, start + n2, n - n2);
}

/** `np.sum` of a float64 vector (pairwise order, see the file header). */
export function numpySum(values: ArrayLike<number>): number {
  // The reduction starts from the identity 0 and adds the pairwise sum of all n values.
  return 0 + pairwiseSum(values, 0, values.length);
}

/** `np.mean` of a float64 vector: NaN for an empty vector (numpy warns "Mean of empty slice"). */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}
