// F1 scores of DePT src/metrics.py on label strings:
// - `f1_score_with_invalid` (mrpc, qqp, superglue-multirc): a prediction that is not exactly "0" or "1" is
//   replaced by the opposite of its target, so it always counts as an error; then sklearn's binary
//   `f1_score` of class 1 (key "f1").
// - `mean_multiclass_f1(num_classes=3)` (superglue-cb): sklearn `fbeta_score(targets, predictions, beta=1,
//   labels=range(3), average="macro")` (key "f1_multiclass"). sklearn matches the int labels 0, 1, 2 to the
//   strings "0", "1", "2" (golden macro_f1_cb: identical to labels=["0","1","2"]); any other string is a
//   prediction (or target) of no listed class. The mean is always over the 3 classes.
//
// Per class, sklearn 1.9 (the goldens' version) computes F1 = (1 + b^2) tp / (b^2 (tp + fn) + (tp + fp)) with b = 1 and sets it to
// 0 when the denominator is 0 (zero_division="warn": no true and no predicted samples of that class).
import { checkNonEmpty, checkPaired, numpyMean, scaleValue, type MetricOptions } from "./common.ts";
import { MetricInputError } from "./errors.ts";

/** sklearn's F-beta (beta = 1) of one class from its counts; 0 when the class is absent from both sides. */
function classF1(tp: number, trueCount: number, predCount: number): number {
  const denominator = 1 * trueCount + predCount; // beta^2 * true_sum + pred_sum
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}

/** Counts of class 1 after DePT's invalid-prediction rule; exported for tests and reports. */
export function binaryCountsWithInvalid(
  predictions: readonly string[],
  targets: readonly string[],
): { tp: number; fp: number; fn: number; invalid: number } {
  checkPaired("f1_score_with_invalid", predictions, targets);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let invalid = 0;
  targets.forEach((target, i) => {
    // DePT casts the targets with astype(np.int32) and sklearn then refuses anything but a binary target.
    if (target !== "0" && target !== "1") {
      throw new MetricInputError(
        `f1_score_with_invalid: reference ${i + 1} is ${JSON.stringify(target)}; binary F1 needs references "0" or "1"`,
      );
    }
    let prediction = predictions[i]!;
    if (prediction !== "0" && prediction !== "1") {
      invalid++;
      prediction = target === "1" ? "0" : "1"; // binary_reverse: always wrong
    }
    if (prediction === "1" && target === "1") tp++;
    else if (prediction === "1") fp++;
    else if (target === "1") fn++;
  });
  return { tp, fp, fn, invalid };
}

export function f1ScoreWithInvalid(
  predictions: readonly string[],
  targets: readonly string[],
  opts?: MetricOptions,
): { f1: number } {
  checkPaired("f1_score_with_invalid", predictions, targets);
  checkNonEmpty("f1_score_with_invalid", targets.length);
  const { tp, fp, fn } = binaryCountsWithInvalid(predictions, targets);
  return { f1: scaleValue(classF1(tp, tp + fn, tp + fp), opts) };
}

/** The classes of DePT's `mean_multiclass_f1(num_classes=3)`: sklearn's labels=range(3) as strings. */
export const CB_CLASSES: readonly string[] = ["0", "1", "2"];

/** F1 of each class in `classes` (sklearn fbeta_score with average=None). */
export function perClassF1(
  predictions: readonly string[],
  targets: readonly string[],
  classes: readonly string[] = CB_CLASSES,
): number[] {
  checkPaired("f1_multiclass", predictions, targets);
  return classes.map((c) => {
    let tp = 0;
    let trueCount = 0;
    let predCount = 0;
    targets.forEach((t, i) => {
      const p = predictions[i];
      if (t === c) trueCount++;
      if (p === c) predCount++;
      if (t === c && p === c) tp++;
    });
    return classF1(tp, trueCount, predCount);
  });
}

export function meanMulticlassF1(
  predictions: readonly string[],
  targets: readonly string[],
  opts?: MetricOptions,
): { f1_multiclass: number } {
  checkPaired("f1_multiclass", predictions, targets);
  checkNonEmpty("f1_multiclass", targets.length);
  return { f1_multiclass: scaleValue(numpyMean(perClassF1(predictions, targets, CB_CLASSES)), opts) };
}
