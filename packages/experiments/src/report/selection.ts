// Which validation metric selects the best checkpoint (and the best run of a grid) for each task.
// DePT's train.py sets metric_for_best_model = TASK_TO_METRICS[task][0] with greater_is_better=True
// (spec §3, train.py L305 + src/metrics.py). Kept here until @dept/metrics' TASK_TO_METRICS is on main;
// test/selection.test.ts checks it against the released trainer_state.json files (best_metric/best step).

/** Task -> selection metric (the first metric of the reference's TASK_TO_METRICS). */
export const TASK_SELECTION_METRIC: Readonly<Record<string, string>> = {
  cola: "matthews_correlation",
  mrpc: "accuracy",
  stsb: "pearson",
  sst2: "accuracy",
  mnli: "accuracy",
  qnli: "accuracy",
  rte: "accuracy",
  qqp: "accuracy",
  "superglue-boolq": "accuracy",
  "superglue-wic": "accuracy",
  "superglue-wsc.fixed": "accuracy",
  "superglue-cb": "f1_multiclass",
  "superglue-multirc": "f1",
  nq: "em",
  hotpotqa: "em",
  searchqa: "em",
  newsqa: "em",
  winogrande: "accuracy",
  scitail: "accuracy",
  yelp_polarity: "accuracy",
  paws: "accuracy",
};

export function selectionMetric(task: string): string | undefined {
  return TASK_SELECTION_METRIC[task];
}
