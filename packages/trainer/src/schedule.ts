// Learning-rate schedule: HF transformers `get_linear_schedule_with_warmup` (optimization.py,
// `_get_linear_schedule_with_warmup_lr_lambda`) driven by torch's LambdaLR: lr_g(step) = base_lr_g * f(step)
// with f(step) = step / max(1, warmup) while step < warmup, else max(0, (total - step) / max(1, total - warmup)).
// The multiplier is 0 at step 0 (warmup starts at 0) and reaches 0 at step = total. The same multiplier applies to
// every parameter group (DePT train.py ~L620 builds one scheduler over the two-group optimizer; spec §3).
import { TrainerConfigError } from "./errors.ts";

/** The LambdaLR multiplier for `step` (0-based count of scheduler steps already taken). */
export function linearWarmupMultiplier(step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

export interface SchedulerState {
  /** torch LambdaLR's `last_epoch` = number of scheduler.step() calls so far. */
  lastStep: number;
  warmupSteps: number;
  totalSteps: number;
  baseLrs: number[];
}

/** Stateful wrapper mirroring torch LambdaLR: `currentLrs()` are the lrs the next optimizer step uses. */
export class LinearWarmupSchedule {
  private step = 0;

  constructor(
    readonly baseLrs: readonly number[],
    readonly warmupSteps: number,
    readonly totalSteps: number,
  ) {
    if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
      throw new TrainerConfigError(`warmup_steps must be an integer >= 0, got ${warmupSteps}`);
    }
    if (!Number.isInteger(totalSteps) || totalSteps <= 0) {
      throw new TrainerConfigError(`max_steps must be an integer > 0, got ${totalSteps}`);
    }
    for (const lr of baseLrs) {
      if (!Number.isFinite(lr) || lr < 0) throw new TrainerConfigError(`learning rates must be finite and >= 0, got ${lr}`);
    }
  }

  get lastStep(): number {
    return this.step;
  }

  multiplier(): number {
    return linearWarmupMultiplier(this.step, this.warmupSteps, this.totalSteps);
  }

  /** lr of each group for the update about to happen (computed in double, like Python floats). */
  currentLrs(): number[] {
    const f = this.multiplier();
    return this.baseLrs.map((lr) => lr * f);
  }

  /** scheduler.step(): advance after an optimizer step. */
  advance(): void {
    this.step += 1;
  }

  state(): SchedulerState {
    return { lastStep: this.step, warmupSteps: this.warmupSteps, totalSteps: this.totalSteps, baseLrs: [...this.baseLrs] };
  }

  static fromState(state: SchedulerState): LinearWarmupSchedule {
    const s = new LinearWarmupSchedule(state.baseLrs, state.warmupSteps, state.totalSteps);
    if (!Number.isInteger(state.lastStep) || state.lastStep < 0) {
      throw new TrainerConfigError(`scheduler state: lastStep must be an integer >= 0, got ${state.lastStep}`);
    }
    s.step = state.lastStep;
    return s;
  }
}
