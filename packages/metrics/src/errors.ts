// Typed errors of @dept/metrics. Bad metric input is a caller/user problem, so these carry exitCode 2, which
// the `dept` CLI maps to "message on stderr, exit 2" (see packages/experiments/src/main.ts).

/** Inputs a metric cannot score: unequal lengths, no examples, a label outside the metric's label set. */
export class MetricInputError extends Error {
  override readonly name: string = "MetricInputError";
  readonly exitCode = 2 as const;
}

/** A task name that has no metric list (TASK_TO_METRICS). */
export class UnknownTaskError extends MetricInputError {
  override readonly name: string = "UnknownTaskError";
  constructor(
    readonly task: string,
    known: readonly string[],
  ) {
    super(`unknown task '${task}': expected one of ${known.join(", ")}`);
  }
}
