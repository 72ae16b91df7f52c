import { describe, expect, it } from "vitest";
import {
  accuracy,
  computeTaskMetrics,
  f1ScoreWithInvalid,
  isQaTask,
  METRIC_TASKS,
  MetricInputError,
  pearsonCorrcoef,
  selectionMetric,
  spearmanCorrcoef,
  squad,
  TASK_TO_METRICS,
  UnknownTaskError,
} from "../src/index.ts";

// The 21 tasks of the project (brief) and their selection metric per spec §3 (train.py:
// metric_for_best_model = src/metrics.py TASK_TO_METRICS[task][0]).
const SELECTION: Record<string, string> = {
  cola: "matthews_correlation",
  mrpc: "accuracy",
  mnli: "accuracy",
  qnli: "accuracy",
  qqp: "accuracy",
  rte: "accuracy",
  sst2: "accuracy",
  stsb: "pearson",
  "superglue-multirc": "f1",
  "superglue-wic": "accuracy",
  "superglue-wsc.fixed": "accuracy",
  "superglue-cb": "f1_multiclass",
  "superglue-boolq": "accuracy",
  newsqa: "em",
  searchqa: "em",
  hotpotqa: "em",
  nq: "em",
  winogrande: "accuracy",
  yelp_polarity: "accuracy",
  scitail: "accuracy",
  paws: "accuracy",
};

describe("TASK_TO_METRICS / selectionMetric", () => {
  it("covers exactly the 21 tasks with the spec's selection metric first", () => {
    expect([...METRIC_TASKS].sort()).toEqual(Object.keys(SELECTION).sort());
    for (const [task, metric] of Object.entries(SELECTION)) {
      expect(selectionMetric(task)).toBe(metric);
      expect(TASK_TO_METRICS[task]![0]).toBe(metric);
    }
  });
  it("lists the result keys the reference computes (Task.metric)", () => {
    expect(TASK_TO_METRICS.mrpc).toEqual(["accuracy", "f1"]);
    expect(TASK_TO_METRICS.qqp).toEqual(["accuracy", "f1"]);
    expect(TASK_TO_METRICS.stsb).toEqual(["pearson", "spearmanr"]);
    expect(TASK_TO_METRICS["superglue-cb"]).toEqual(["f1_multiclass", "accuracy"]);
    expect(TASK_TO_METRICS["superglue-multirc"]).toEqual(["f1"]);
    expect(TASK_TO_METRICS.nq).toEqual(["em", "f1"]);
  });
  it("rejects unknown tasks with a typed error naming the task", () => {
    expect(() => selectionMetric("wnli")).toThrow(UnknownTaskError);
    expect(() => selectionMetric("toString")).toThrow(/unknown task 'toString'/);
    expect(() => computeTaskMetrics("nope", [], [])).toThrow(/unknown task 'nope': expected one of cola, mrpc/);
    expect(new UnknownTaskError("x", ["a"]).exitCode).toBe(2);
  });
  it("knows which tasks are QA", () => {
    expect(["nq", "hotpotqa", "searchqa", "newsqa"].every(isQaTask)).toBe(true);
    expect(isQaTask("mrpc")).toBe(false);
  });
});

describe("computeTaskMetrics", () => {
  const preds = ["1", "yes", "0", "", "2", "1", "0", "1"];
  const refs = ["1", "1", "0", "0", "1", "0", "0", "1"];

  it("mrpc = accuracy + f1_score_with_invalid, keys in TASK_TO_METRICS order", () => {
    const out = computeTaskMetrics("mrpc", preds, refs);
    expect(Object.keys(out)).toEqual(["accuracy", "f1"]);
    expect(out.accuracy).toBe(accuracy(preds, refs).accuracy);
    expect(out.f1).toBe(f1ScoreWithInvalid(preds, refs).f1);
    // 4 of 8 right; after the invalid rule tp 2, fp 2 ("" vs "0"; "1" vs "0"), fn 2 ("yes", "2" vs "1")
    expect(out.accuracy).toBe(50);
    expect(out.f1).toBe(50);
  });
  it("switches to the 0-1 scale", () => {
    const out = computeTaskMetrics("mrpc", preds, refs, { scale: "fraction" });
    expect(out).toEqual({ accuracy: 0.5, f1: 0.5 });
    expect(() => computeTaskMetrics("mrpc", preds, refs, { scale: "basis-points" as "fraction" })).toThrow(
      /scale must be "percent" or "fraction"/,
    );
  });
  it("stsb, cola, superglue-cb, multirc", () => {
    const p = ["3.8", "abc", "2.0", "5.0"];
    const t = ["3.6", "1.0", "2.2", "4.8"];
    expect(computeTaskMetrics("stsb", p, t)).toEqual({ ...pearsonCorrcoef(p, t), ...spearmanCorrcoef(p, t) });
    expect(Object.keys(computeTaskMetrics("superglue-cb", ["0", "1", "2"], ["0", "1", "1"]))).toEqual(["f1_multiclass", "accuracy"]);
    expect(computeTaskMetrics("cola", ["1", "0"], ["1", "0"])).toEqual({ matthews_correlation: 100 });
    expect(computeTaskMetrics("superglue-multirc", ["1", "0"], ["1", "1"])).toEqual({ f1: 100 * (2 / 3) });
  });
  it("QA tasks take gold lists or single strings", () => {
    const p = ["The Eiffel Tower", "1889"];
    const lists = [["Eiffel Tower", "eiffel tower in Paris"], ["in 1889"]];
    expect(computeTaskMetrics("nq", p, lists)).toEqual(squad(p, lists));
    expect(computeTaskMetrics("hotpotqa", ["Paris"], ["paris"])).toEqual({ em: 100, f1: 100 });
  });
  it("rejects unequal lengths, gold lists for label tasks, bad binary labels and empty inputs", () => {
    expect(() => computeTaskMetrics("sst2", ["1"], ["1", "0"])).toThrow(MetricInputError);
    expect(() => computeTaskMetrics("sst2", ["1"], ["1", "0"])).toThrow(/1 predictions but 2 references/);
    expect(() => computeTaskMetrics("sst2", ["1"], [["1"]])).toThrow(/reference 1 is a list/);
    expect(() => computeTaskMetrics("mrpc", ["1", "1"], ["1", "2"])).toThrow(/reference 2 is "2"; binary F1 needs references "0" or "1"/);
    expect(() => computeTaskMetrics("cola", [], [])).toThrow(/needs at least 1 example/);
    expect(() => computeTaskMetrics("stsb", ["1"], ["1"])).toThrow(/pearson: needs at least 2 examples/);
    expect(() => computeTaskMetrics("nq", ["a"], [[]])).toThrow(/empty list of gold answers/);
    // accuracy alone follows numpy: the mean of nothing is NaN (golden accuracy/empty_lists)
    expect(computeTaskMetrics("sst2", [], []).accuracy).toBeNaN();
  });
});
