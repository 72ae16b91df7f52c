// Clip + schedule + two-group AdamW fed with the golden trajectory's recorded pre-clip gradients
// (t5-tiny/f_dept_train) must reproduce the recorded lrs, grad norms, clip coefficients and every parameter
// snapshot within the golden README tolerances.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { AdamW, clipGradNorm, LinearWarmupSchedule, type OptimName } from "../src/index.ts";
import { compare, loadGoldenCase, stepSlice, tensor, type GoldenCase } from "./helpers/golden.ts";
import { useTestBackend } from "./helpers/backend.ts";

let c: GoldenCase;
beforeAll(async () => {
  await useTestBackend();
  c = await loadGoldenCase();
});

const NAMES = ["P", "A", "B"] as const;

interface Run {
  vars: Record<(typeof NAMES)[number], tf.Variable>;
  opt: AdamW;
  sched: LinearWarmupSchedule;
}

function setup(kind: OptimName): Run {
  const vars = Object.fromEntries(
    NAMES.map((n) => {
      const t = tensor(c, `${n}_init`);
      return [n, tf.variable(tf.tensor(t.data, t.shape, "float32"), true, `golden_${kind}_${n}_${Math.random()}`)];
    }),
  ) as Run["vars"];
  const og = c.json.optimizer;
  const opt = new AdamW(
    [
      { name: "prompt", params: new Map([["P", vars.P]]), lr: og.param_groups[0]!.lr, weightDecay: og.weight_decay },
      { name: "lora_embedding", params: new Map([["A", vars.A], ["B", vars.B]]), lr: og.param_groups[1]!.lr, weightDecay: og.weight_decay },
    ],
    { kind, betas: og.betas, eps: og.eps },
  );
  const sched = new LinearWarmupSchedule(
    [og.param_groups[0]!.lr, og.param_groups[1]!.lr],
    c.json.scheduler.num_warmup_steps,
    c.json.scheduler.num_training_steps,
  );
  return { vars, opt, sched };
}

function recordedGrads(k: number): Map<string, tf.Tensor> {
  return new Map(
    NAMES.map((n) => {
      const s = stepSlice(tensor(c, `grad_${n}_steps`), k);
      return [n, tf.tensor(s.data, s.shape, "float32")] as const;
    }),
  );
}

/** One training step on recorded grads; returns the norm/coef and lrs used. */
function step(run: Run, k: number, maxNorm: number): { lrs: number[]; norm: number; coef: number } {
  const lrs = run.sched.currentLrs();
  run.opt.setLearningRates(lrs);
  const raw = recordedGrads(k);
  const { grads, totalNorm, clipCoef } = clipGradNorm(raw, maxNorm);
  run.opt.step(grads);
  run.sched.advance();
  for (const g of raw.values()) g.dispose();
  for (const g of grads.values()) g.dispose();
  return { lrs, norm: totalNorm, coef: clipCoef };
}

function dispose(run: Run): void {
  run.opt.dispose();
  for (const v of Object.values(run.vars)) v.dispose();
}

describe("golden f_dept_train, torch AdamW, max_grad_norm 1.0", () => {
  it("reproduces lrs, grad norms, clip coefficients and every P/A/B snapshot", () => {
    const run = setup("adamw_torch");
    const tol = c.json.tolerances;
    const worst = { lr: 0, norm: 0, P: 0, A: 0, B: 0 };
    for (let k = 0; k < c.json.steps; k++) {
      const { lrs, norm, coef } = step(run, k, c.json.clip_grad_norm);
      const lrCheck = compare(lrs, [tensor(c, "lr_P").data[k]!, tensor(c, "lr_AB").data[k]!], tol.lr);
      expect(lrCheck.worstExcess, `lr at step ${k}`).toBeLessThanOrEqual(0);
      // The JSON lrs are the exact Python doubles; match them tightly too.
      expect(lrs[0]).toBeCloseTo(c.json.lr_P[k]!, 12);
      expect(lrs[1]).toBeCloseTo(c.json.lr_AB[k]!, 12);
      const nCheck = compare([norm], [tensor(c, "grad_norm").data[k]!], tol.grad_norm);
      expect(nCheck.worstExcess, `grad_norm at step ${k}`).toBeLessThanOrEqual(0);
      expect(coef).toBe(c.json.clip_coefs[k]);
      worst.lr = Math.max(worst.lr, lrCheck.maxAbs);
      worst.norm = Math.max(worst.norm, nCheck.maxAbs);
      for (const n of NAMES) {
        const ref = stepSlice(tensor(c, `${n}_steps`), k + 1).data;
        const r = compare(run.vars[n].dataSync(), ref, tol.train_params);
        expect(r.worstExcess, `${n} after step ${k}: max |diff| ${r.maxAbs}`).toBeLessThanOrEqual(0);
        worst[n] = Math.max(worst[n], r.maxAbs);
      }
    }
    for (const n of NAMES) {
      const r = compare(run.vars[n].dataSync(), tensor(c, `${n}_final`).data, tol.train_params);
      expect(r.worstExcess, `${n}_final`).toBeLessThanOrEqual(0);
    }
    console.log(`[golden torch AdamW] max |diff|: ${JSON.stringify(worst)}`);
    dispose(run);
  });

  it("a step leaves the tensor count unchanged once the moments exist", () => {
    const run = setup("adamw_torch");
    step(run, 0, 1.0);
    const before = tf.memory().numTensors;
    step(run, 1, 1.0);
    expect(tf.memory().numTensors).toBe(before);
    dispose(run);
  });
});

describe("golden f_dept_train, clip_low (max_grad_norm 0.26)", () => {
  it("clip coefficients follow max_norm / (norm + 1e-6) clamped to 1 on the recorded clip_low norms", () => {
    const norms = tensor(c, "clip_low.grad_norm").data;
    const maxNorm = c.json.clip_low.max_grad_norm;
    for (let k = 0; k < c.json.steps; k++) {
      // Our coefficient from a gradient with exactly this norm: scale a unit vector.
      const g = new Map([["x", tf.tensor1d([norms[k]!])]]);
      const { clipCoef, grads } = clipGradNorm(g, maxNorm);
      expect(clipCoef).toBeCloseTo(c.json.clip_low.clip_coefs[k]!, 6);
      expect(clipCoef < 1).toBe(c.json.clip_low.clipping_active_steps.includes(k));
      g.get("x")!.dispose();
      grads.get("x")!.dispose();
    }
  });

  // The clip_low run records only its own parameters, not its gradients. Its first two steps see exactly the
  // torch run's gradients (identical parameters: step 0 has lr 0), so snapshots 1 and 2 are checkable from
  // recorded inputs alone; the later steps are checked end to end through the model (train-golden test).
  it("reproduces clip_low.P/A/B_steps[1..2] from the shared step-0/1 gradients", () => {
    const run = setup("adamw_torch");
    const tol = c.json.tolerances;
    const worst = { P: 0, A: 0, B: 0 };
    for (let k = 0; k < 2; k++) {
      const { norm, coef } = step(run, k, c.json.clip_low.max_grad_norm);
      expect(compare([norm], [tensor(c, "clip_low.grad_norm").data[k]!], tol.grad_norm).worstExcess).toBeLessThanOrEqual(0);
      expect(coef).toBeCloseTo(c.json.clip_low.clip_coefs[k]!, 6);
      for (const n of NAMES) {
        const r = compare(run.vars[n].dataSync(), stepSlice(tensor(c, `clip_low.${n}_steps`), k + 1).data, tol.train_params);
        expect(r.worstExcess, `${n} after step ${k}`).toBeLessThanOrEqual(0);
        worst[n] = Math.max(worst[n], r.maxAbs);
      }
    }
    console.log(`[golden clip_low steps 0-1] max |diff|: ${JSON.stringify(worst)}`);
    dispose(run);
  });
});
