// Typed errors of @dept/trainer. Bad configuration / bad files are the user's to fix (exitCode 2);
// a run that diverges (non-finite loss) is a failure of the run (exitCode 1).

/** A bad training argument, optimizer/scheduler setting or checkpoint file: names what and what was expected. */
export class TrainerConfigError extends Error {
  override readonly name = "TrainerConfigError";
  readonly exitCode = 2 as const;
}

/** A checkpoint folder that is missing a file or whose files do not match the model being trained. */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";
  readonly exitCode = 2 as const;
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`checkpoint ${path}: ${problem}`);
  }
}

/** Training stopped because the loss (or the gradient norm) became NaN/Inf. */
export class NonFiniteLossError extends Error {
  override readonly name = "NonFiniteLossError";
  readonly exitCode = 1 as const;
  constructor(
    readonly step: number,
    readonly value: number,
    readonly bestCheckpoint: string | null,
  ) {
    super(
      `training stopped at step ${step}: loss is ${value} (non-finite). ` +
        (bestCheckpoint === null ? "No checkpoint was saved before this step." : `The best checkpoint so far is kept: ${bestCheckpoint}.`) +
        " Lower --learning_rate / --lora_embedding_lr or set --max_grad_norm.",
    );
  }
}
