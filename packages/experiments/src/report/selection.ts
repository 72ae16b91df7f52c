// Which validation metric selects the best checkpoint (and the best run of a grid) for each task: the first
// entry of @dept/metrics' TASK_TO_METRICS (DePT's train.py sets metric_for_best_model = TASK_TO_METRICS[task][0]
// with greater_is_better=True, spec §3). test/report.test.ts checks it against the released trainer_state.json
// files (best_metric and best step).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CUSTOM_TASK_FILE, loadCustomTask } from "@dept/datasets";
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

/**
 * A custom task's selection metric: the first of its task.json `metrics` (@dept/datasets custom tasks, e.g. the
 * quickstart's amazon-sentiment), found through the run's data_dir or a task_name that is a task JSON path.
 * undefined when neither declares the task (or the file is unreadable: a report never fails on it).
 */
export function customSelectionMetric(task: string, dataDir: string | null): string | undefined {
  const file = task.endsWith(".json") ? task : dataDir === null ? null : join(dataDir, CUSTOM_TASK_FILE);
  if (file === null || !existsSync(file)) return undefined;
  try {
    const spec = loadCustomTask(file);
    return task.endsWith(".json") || spec.name === task ? spec.metrics?.[0] : undefined;
  } catch {
    return undefined;
  }
}
