// Gradient accumulation with HF Trainer semantics (trainer.py `_inner_training_loop` / `training_step`):
// each micro-batch loss is divided by gradient_accumulation_steps before backward, the gradients of the
// micro-batches are summed, and the optimizer steps once per `gradient_accumulation_steps` micro-batches
// (or at the end of an epoch's last, possibly shorter, window). The logged loss is the sum of the scaled
// micro-batch losses per optimizer step, averaged over the logging window.
import * as tf from "@tensorflow/tfjs";
import { TrainerConfigError } from "./errors.ts";

export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();
  private micro = 0;
  private lossSum = 0;

  constructor(readonly steps: number) {
    if (!Number.isInteger(steps) || steps < 1) {
      throw new TrainerConfigError(`gradient_accumulation_steps must be an integer >= 1, got ${steps}`);
    }
  }

  /** 1/accum: the factor applied to each micro-batch loss before its backward pass. */
  get lossScale(): number {
    return 1 / this.steps;
  }

  /** Micro-batches added since the last take(). */
  get count(): number {
    return this.micro;
  }

  /**
   * Adds one micro-batch's gradients (already of the scaled loss) and its scaled loss value. The accumulator
   * takes ownership of `grads` (disposes them).
   */
  add(grads: Map<string, tf.Tensor>, scaledLoss: number): void {
    for (const [name, g] of grads) {
      const prev = this.sums.get(name);
      if (prev === undefined) {
        this.sums.set(name, g);
      } else {
        this.sums.set(name, tf.add(prev, g));
        prev.dispose();
        g.dispose();
      }
    }
    this.micro += 1;
    this.lossSum += scaledLoss;
  }

  /** True once `steps` micro-batches were added. */
  ready(): boolean {
    return this.micro >= this.steps;
  }

  /** Returns the summed gradients (caller owns them) and the summed scaled loss; resets. */
  take(): { grads: Map<string, tf.Tensor>; loss: number; microBatches: number } {
    const out = { grads: this.sums, loss: this.lossSum, microBatches: this.micro };
    this.sums = new Map();
    this.micro = 0;
    this.lossSum = 0;
    return out;
  }

  dispose(): void {
    for (const g of this.sums.values()) g.dispose();
    this.sums.clear();
    this.micro = 0;
    this.lossSum = 0;
  }
}
