// Accuracy on label strings. Follows DePT src/metrics.py `accuracy`:
//   {"accuracy": 100 * ((np.array(predictions) == np.array(targets)).mean())}
// Exact, case-sensitive comparison of the strings; nothing is parsed, stripped or normalised here (the
// decoded strings were already stripped by the post-processor). An empty input gives NaN, as numpy's mean
// of an empty array does (golden case accuracy/empty_lists).
import { checkPaired, numpyMean, scaleValue, type MetricOptions } from "./common.ts";

export function accuracy(
  predictions: readonly string[],
  targets: readonly string[],
  opts?: MetricOptions,
): { accuracy: number } {
  checkPaired("accuracy", predictions, targets);
  const hits = predictions.map((p, i) => (p === targets[i] ? 1 : 0));
  return { accuracy: scaleValue(numpyMean(hits), opts) };
}
