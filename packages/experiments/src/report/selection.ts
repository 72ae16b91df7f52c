// Which validation metric selects the best checkpoint (and the best run of a grid) for each task: the first
// entry of @dept/metrics' TASK_TO_METRICS (DePT's train.py sets metric_for_best_model = TASK_TO_METRICS[task][0]
// with greater_is_better=True, spec §3). test/report.test.ts checks it against the released trainer_state.json
// files (best_metric and best step).
import { TASK_TO_METRICS } from "@dept/metrics";

/** Task -> selection metric. */
export const TASK_SELECTION_METRIC: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(TASK_TO_METRICS).flatMap(([task, metrics]) => (metrics[0] === undefined ? [] : [[task, metrics[0]]])),
);

/** The selection metric of a task, or undefined for a task @dept/metrics does not know (no throw: a report
 *  still lists such runs, without a best-run pick). */
export function selectionMetric(task: string): string | undefined {
  return Object.hasOwn(TASK_SELECTION_METRIC, task) ? TASK_SELECTION_METRIC[task] : undefined;
}
