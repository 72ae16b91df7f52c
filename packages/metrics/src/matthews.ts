// Matthews correlation coefficient on label strings. Follows DePT src/metrics.py `matthews_corrcoef`, i.e.
// `100 * sklearn.metrics.matthews_corrcoef(targets, predictions)` on the raw strings: every distinct string
// (an invalid prediction such as "x" or "" included) is one more class, and sklearn's multiclass formula
// (Gorodkin's R_K, sklearn/metrics/_classification.py) applies:
//   t_k = #targets of class k, p_k = #predictions of class k, c = #correct, s = #samples
//   MCC = (c*s - sum_k t_k p_k) / sqrt((s^2 - sum_k p_k^2) * (s^2 - sum_k t_k^2))
// and 0 when the product under the root is 0 (constant predictions or constant targets).
// For two classes this is the usual binary MCC.
import { checkNonEmpty, checkPaired, scaleValue, type MetricOptions } from "./common.ts";

export function matthewsCorrcoef(
  predictions: readonly string[],
  targets: readonly string[],
  opts?: MetricOptions,
): { matthews_correlation: number } {
  checkPaired("matthews_correlation", predictions, targets);
  checkNonEmpty("matthews_correlation", targets.length);
  const trueSum = new Map<string, number>();
  const predSum = new Map<string, number>();
  let correct = 0;
  targets.forEach((t, i) => {
    const p = predictions[i]!;
    trueSum.set(t, (trueSum.get(t) ?? 0) + 1);
    predSum.set(p, (predSum.get(p) ?? 0) + 1);
    if (p === t) correct++;
  });
  const samples = targets.length;
  let dotTP = 0;
  let dotPP = 0;
  let dotTT = 0;
  for (const [label, t] of trueSum) dotTP += t * (predSum.get(label) ?? 0);
  for (const p of predSum.values()) dotPP += p * p;
  for (const t of trueSum.values()) dotTT += t * t;
  const covYtYp = correct * samples - dotTP;
  const covYpYp = samples ** 2 - dotPP;
  const covYtYt = samples ** 2 - dotTT;
  const product = covYpYp * covYtYt;
  const raw = product === 0 ? 0 : covYtYp / Math.sqrt(product);
  return { matthews_correlation: scaleValue(raw, opts) };
}
