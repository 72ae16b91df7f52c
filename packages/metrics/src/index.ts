// @dept/metrics: DePT's evaluation metrics (GLUE, SuperGLUE, MRQA) with the reference's post-processing.
export { MetricInputError, UnknownTaskError } from "./errors.ts";
export type { MetricOptions, MetricScale } from "./common.ts";
export {
  TASK_TO_METRICS,
  METRIC_TASKS,
  computeTaskMetrics,
  selectionMetric,
  isKnownTask,
  isQaTask,
  type MetricName,
} from "./tasks.ts";
export { accuracy } from "./accuracy.ts";
export { f1ScoreWithInvalid, meanMulticlassF1, perClassF1, binaryCountsWithInvalid, CB_CLASSES } from "./f1.ts";
export { matthewsCorrcoef } from "./matthews.ts";
export { pearsonCorrcoef, spearmanCorrcoef, pearsonR, spearmanR, rankAverage } from "./correlation.ts";
export { squad, squadExampleScore, normalizeSquad, type SquadExampleScore } from "./squad.ts";
export { postprocessText, postprocessDecoded } from "./postprocess.ts";
export { pythonFloat, pythonStrip, pythonSplit, stringToFloat } from "./python-text.ts";
