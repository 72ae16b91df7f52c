// Which metrics each task reports and which one selects the best checkpoint.
//
// Two tables of the reference are reconciled here (spec §3 and golden/metrics/README.md):
// - `Task.metric` in src/tasks.py is what `compute_metrics` actually runs, in this order (mrpc, qqp:
//   [f1_score_with_invalid, accuracy]; superglue-cb: [mean_multiclass_f1(3), accuracy]; ...). The result
//   is the union of the returned dicts.
// - `TASK_TO_METRICS` in src/metrics.py only feeds train.py's `metric_for_best_model =
//   TASK_TO_METRICS[task][0]` (greater is better), e.g. mrpc -> "accuracy" although its metric list
//   starts with F1.
// Our TASK_TO_METRICS lists the result keys each task produces (from Task.metric), ordered with the
// reference's selection metric first, so `selectionMetric(task)` is its first entry and the keys of
// `computeTaskMetrics` are exactly the list. Where the two tables disagree: superglue-multirc's reference
// entry is ["f1", "em"], but its Task.metric computes only f1 (the group-EM metric is commented out), so
// our list is ["f1"].
import type { MetricOptions } from "./common.ts";
import { accuracy } from "./accuracy.ts";
import { MetricInputError, UnknownTaskError } from "./errors.ts";
import { f1ScoreWithInvalid, meanMulticlassF1 } from "./f1.ts";
import { matthewsCorrcoef } from "./matthews.ts";
import { pearsonCorrcoef, spearmanCorrcoef } from "./correlation.ts";
import { squad } from "./squad.ts";

export type MetricName = "accuracy" | "f1" | "matthews_correlation" | "pearson" | "spearmanr" | "f1_multiclass" | "em";

/** Result keys per task, selection metric first (src/metrics.py TASK_TO_METRICS[task][0], spec §3). */
export const TASK_TO_METRICS: Readonly<Record<string, readonly MetricName[]>> = Object.freeze({
  cola: ["matthews_correlation"],
  mrpc: ["accuracy", "f1"],
  mnli: ["accuracy"],
  qnli: ["accuracy"],
  qqp: ["accuracy", "f1"],
  rte: ["accuracy"],
  sst2: ["accuracy"],
  stsb: ["pearson", "spearmanr"],
  "superglue-multirc": ["f1"],
  "superglue-wic": ["accuracy"],
  "superglue-wsc.fixed": ["accuracy"],
  "superglue-cb": ["f1_multiclass", "accuracy"],
  "superglue-boolq": ["accuracy"],
  newsqa: ["em", "f1"],
  searchqa: ["em", "f1"],
  hotpotqa: ["em", "f1"],
  nq: ["em", "f1"],
  winogrande: ["accuracy"],
  yelp_polarity: ["accuracy"],
  scitail: ["accuracy"],
  paws: ["accuracy"],
});

type MetricFn = (predictions: readonly string[], targets: readonly string[], opts?: MetricOptions) => Record<string, number>;

/** The reference's `Task.metric` functions per task, in its order (src/tasks.py). QA tasks use `squad`. */
const TASK_METRIC_FUNCTIONS: Readonly<Record<string, readonly MetricFn[]>> = {
  cola: [matthewsCorrcoef],
  mrpc: [f1ScoreWithInvalid, accuracy],
  mnli: [accuracy],
  qnli: [accuracy],
  qqp: [f1ScoreWithInvalid, accuracy],
  rte: [accuracy],
  sst2: [accuracy],
  stsb: [pearsonCorrcoef, spearmanCorrcoef],
  "superglue-multirc": [f1ScoreWithInvalid],
  "superglue-wic": [accuracy],
  "superglue-wsc.fixed": [accuracy],
  "superglue-cb": [meanMulticlassF1, accuracy],
  "superglue-boolq": [accuracy],
  winogrande: [accuracy],
  yelp_polarity: [accuracy],
  scitail: [accuracy],
  paws: [accuracy],
};

/** Tasks scored with SQuAD EM/F1, whose references may be lists of gold answers. */
const QA_TASKS: ReadonlySet<string> = new Set(["newsqa", "searchqa", "hotpotqa", "nq"]);

export const METRIC_TASKS: readonly string[] = Object.freeze(Object.keys(TASK_TO_METRICS));

export function isKnownTask(task: string): boolean {
  return Object.hasOwn(TASK_TO_METRICS, task);
}

function metricsOf(task: string): readonly MetricName[] {
  if (!isKnownTask(task)) throw new UnknownTaskError(task, METRIC_TASKS);
  return TASK_TO_METRICS[task]!;
}

/** True for the QA tasks (references are lists of gold answers, metrics em/f1); UnknownTaskError for an unknown task. */
export function isQaTask(task: string): boolean {
  metricsOf(task);
  return QA_TASKS.has(task);
}

/** The metric that picks the best checkpoint (train.py: metric_for_best_model, greater is better); UnknownTaskError for an unknown task. */
export function selectionMetric(task: string): MetricName {
  return metricsOf(task)[0]!;
}

/**
 * Every metric of `task` on post-processed (stripped) predictions and references, keyed as in
 * TASK_TO_METRICS[task] and in that order. QA tasks take one string or a list of gold answers per example;
 * the other tasks take one label string per example.
 */
export function computeTaskMetrics(
  task: string,
  predictions: string[],
  references: string[] | string[][],
  opts?: { scale?: "percent" | "fraction" },
): Record<string, number> {
  const keys = metricsOf(task);
  if (predictions.length !== references.length) {
    throw new MetricInputError(
      `${task}: ${predictions.length} predictions but ${references.length} references (they must pair up one to one)`,
    );
  }
  const merged: Record<string, number> = {};
  if (QA_TASKS.has(task)) {
    Object.assign(merged, squad(predictions, references, opts));
  } else {
    const labels = references.map((r, i) => {
      if (typeof r !== "string") {
        throw new MetricInputError(`${task}: reference ${i + 1} is a list; ${task} takes one label string per example`);
      }
      return r;
    });
    for (const fn of TASK_METRIC_FUNCTIONS[task]!) Object.assign(merged, fn(predictions, labels, opts));
  }
  const out: Record<string, number> = {};
  for (const key of keys) out[key] = merged[key]!;
  return out;
}
