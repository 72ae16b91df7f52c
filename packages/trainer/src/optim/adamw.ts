// AdamW over named parameter groups of tf.Variables, in the two flavours HF Trainer's `--optim` offers:
//
// - "adamw_hf": the legacy `transformers.AdamW` (transformers/optimization.py, class AdamW, removed in v4.4x+)
//   that the DePT fork builds by hand (train.py ~L594-624, spec §3). Per step t:
//     m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;  denom = sqrt(v) + eps        (eps BEFORE bias correction)
//     step_size = lr * sqrt(1 - b2^t) / (1 - b1^t)                                (correct_bias=True)
//     p -= step_size * m / denom;  then, only if wd > 0: p -= lr*wd*p              (decay after the update)
// - "adamw_torch": torch.optim.AdamW (torch/optim/adamw.py, _single_tensor_adamw):
//     p *= 1 - lr*wd  (first);  m, v as above;  denom = sqrt(v)/sqrt(1-b2^t) + eps;  p -= lr/(1-b1^t) * m/denom
//
// Both update Adam's moments even when lr is 0 (step 0 of a warmup): the golden trajectory relies on that.
// Scalars (step sizes, bias corrections) are computed in double, as Python floats are, then applied in float32.
import * as tf from "@tensorflow/tfjs";
import { TrainerConfigError } from "../errors.ts";

export type OptimName = "adamw_hf" | "adamw_torch";
export const OPTIM_NAMES: readonly OptimName[] = ["adamw_hf", "adamw_torch"];

/** transformers.AdamW defaults used by the DePT fork (spec §3): betas (0.9, 0.999), eps 1e-6. */
export const DEFAULT_BETAS: readonly [number, number] = [0.9, 0.999];
export const DEFAULT_EPS = 1e-6;

export interface ParamGroup {
  /** A label for logs and the state file ("prompt", "lora_embedding"). */
  readonly name: string;
  /** Parameters by their saved name. */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** Current learning rate; the scheduler overwrites it before each step (like torch param_group["lr"]). */
  lr: number;
  readonly weightDecay: number;
}

export interface AdamWOptions {
  readonly kind: OptimName;
  readonly betas?: readonly [number, number];
  readonly eps?: number;
}

interface ParamState {
  step: number;
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
}

/** Serialisable optimizer state: per-parameter step + first/second moments (float32, row-major). */
export interface AdamWState {
  kind: OptimName;
  betas: [number, number];
  eps: number;
  groups: { name: string; lr: number; weightDecay: number; params: string[] }[];
  params: Record<string, { step: number; shape: number[]; expAvg: Float32Array; expAvgSq: Float32Array }>;
}

export class AdamW {
  readonly kind: OptimName;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly groups: ParamGroup[];
  private readonly state = new Map<string, ParamState>();

  constructor(groups: ParamGroup[], options: AdamWOptions) {
    if (!OPTIM_NAMES.includes(options.kind)) {
      throw new TrainerConfigError(`optim must be one of ${OPTIM_NAMES.join(", ")}, got '${String(options.kind)}'`);
    }
    const betas = options.betas ?? DEFAULT_BETAS;
    const eps = options.eps ?? DEFAULT_EPS;
    for (const b of betas) {
      if (!(b >= 0 && b < 1)) throw new TrainerConfigError(`Adam betas must be in [0, 1), got ${betas.join(", ")}`);
    }
    if (!(eps >= 0)) throw new TrainerConfigError(`Adam eps must be >= 0, got ${eps}`);
    const seen = new Set<string>();
    for (const g of groups) {
      if (!(g.lr >= 0)) throw new TrainerConfigError(`param group '${g.name}': lr must be >= 0, got ${g.lr}`);
      if (!(g.weightDecay >= 0)) throw new TrainerConfigError(`param group '${g.name}': weight_decay must be >= 0, got ${g.weightDecay}`);
      for (const name of g.params.keys()) {
        if (seen.has(name)) throw new TrainerConfigError(`parameter '${name}' is in more than one param group`);
        seen.add(name);
      }
    }
    this.kind = options.kind;
    this.betas = betas;
    this.eps = eps;
    this.groups = groups;
  }

  /** Sets every group's lr (index-aligned with `groups`), as the scheduler does before a step. */
  setLearningRates(lrs: readonly number[]): void {
    if (lrs.length !== this.groups.length) {
      throw new TrainerConfigError(`expected ${this.groups.length} learning rates (one per param group), got ${lrs.length}`);
    }
    this.groups.forEach((g, i) => (g.lr = lrs[i]!));
  }

  /** Number of steps taken by `name` (0 before its first update). */
  stepOf(name: string): number {
    return this.state.get(name)?.step ?? 0;
  }

  /**
   * One optimizer step. `grads` holds a gradient per parameter name; a parameter without a gradient is skipped
   * (torch skips p.grad is None). Gradients are only read; the caller disposes them.
   */
  step(grads: ReadonlyMap<string, tf.Tensor>): void {
    const [b1, b2] = this.betas;
    for (const group of this.groups) {
      for (const [name, param] of group.params) {
        const grad = grads.get(name);
        if (grad === undefined) continue;
        if (!arraysEqual(grad.shape, param.shape)) {
          throw new TrainerConfigError(`gradient for '${name}' has shape [${grad.shape.join(", ")}], parameter has [${param.shape.join(", ")}]`);
        }
        const st = this.stateFor(name, param);
        st.step += 1;
        const t = st.step;
        const lr = group.lr;
        const wd = group.weightDecay;
        const bc1 = 1 - b1 ** t;
        const bc2 = 1 - b2 ** t;
        tf.tidy(() => {
          const m = tf.add(tf.mul(st.expAvg, b1), tf.mul(grad, 1 - b1));
          const v = tf.add(tf.mul(st.expAvgSq, b2), tf.mul(tf.mul(grad, grad), 1 - b2));
          st.expAvg.assign(m);
          st.expAvgSq.assign(v);
          if (this.kind === "adamw_torch") {
            let p: tf.Tensor = param;
            if (wd !== 0) p = tf.mul(p, 1 - lr * wd);
            const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.eps);
            const stepSize = lr / bc1;
            param.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
          } else {
            const denom = tf.add(tf.sqrt(v), this.eps);
            const stepSize = (lr * Math.sqrt(bc2)) / bc1;
            let p = tf.sub(param, tf.mul(tf.div(m, denom), stepSize));
            if (wd > 0) p = tf.sub(p, tf.mul(p, lr * wd));
            param.assign(p);
          }
        });
      }
    }
  }

  private stateFor(name: string, param: tf.Variable): ParamState {
    let st = this.state.get(name);
    if (st === undefined) {
      // A variable shares its initial tensor's data, so the temporary zeros can be disposed right away.
      const zeros = tf.zeros(param.shape, "float32");
      st = { step: 0, expAvg: tf.variable(zeros, false), expAvgSq: tf.variable(zeros, false) };
      zeros.dispose();
      this.state.set(name, st);
    }
    return st;
  }

  /** A copy of the full state (moments read back from the backend). */
  exportState(): AdamWState {
    const params: AdamWState["params"] = {};
    for (const [name, st] of this.state) {
      params[name] = {
        step: st.step,
        shape: [...st.expAvg.shape],
        expAvg: st.expAvg.dataSync() as Float32Array,
        expAvgSq: st.expAvgSq.dataSync() as Float32Array,
      };
    }
    return {
      kind: this.kind,
      betas: [this.betas[0], this.betas[1]],
      eps: this.eps,
      groups: this.groups.map((g) => ({ name: g.name, lr: g.lr, weightDecay: g.weightDecay, params: [...g.params.keys()] })),
      params,
    };
  }

  /** Restores moments and steps (and group lrs) saved by exportState; names and shapes must match. */
  loadState(state: AdamWState, source = "optimizer state"): void {
    if (state.kind !== this.kind) {
      throw new TrainerConfigError(`${source}: saved with optim '${state.kind}', this run uses '${this.kind}'`);
    }
    if (state.groups.length !== this.groups.length) {
      throw new TrainerConfigError(`${source}: has ${state.groups.length} param groups, expected ${this.groups.length}`);
    }
    const byName = new Map<string, tf.Variable>();
    for (const g of this.groups) for (const [n, p] of g.params) byName.set(n, p);
    for (const [name, saved] of Object.entries(state.params)) {
      const param = byName.get(name);
      if (param === undefined) throw new TrainerConfigError(`${source}: state for unknown parameter '${name}'`);
      if (!arraysEqual(saved.shape, param.shape)) {
        throw new TrainerConfigError(`${source}: '${name}' has shape [${saved.shape.join(", ")}], parameter has [${param.shape.join(", ")}]`);
      }
      const size = param.size;
      if (saved.expAvg.length !== size || saved.expAvgSq.length !== size) {
        throw new TrainerConfigError(`${source}: '${name}' moments have the wrong number of values (expected ${size})`);
      }
      const st = this.stateFor(name, param);
      st.step = saved.step;
      tf.tidy(() => {
        st.expAvg.assign(tf.tensor(saved.expAvg, param.shape, "float32"));
        st.expAvgSq.assign(tf.tensor(saved.expAvgSq, param.shape, "float32"));
      });
    }
    state.groups.forEach((g, i) => (this.groups[i]!.lr = g.lr));
  }

  /** Frees the moment variables. */
  dispose(): void {
    for (const st of this.state.values()) {
      st.expAvg.dispose();
      st.expAvgSq.dispose();
    }
    this.state.clear();
  }
}

function arraysEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
