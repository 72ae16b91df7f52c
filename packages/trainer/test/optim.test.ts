// AdamW unit behaviour: both flavours against closed-form double-precision recurrences, weight-decay order,
// lr-0 steps, state round trip, input validation.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { AdamW, TrainerConfigError, type OptimName } from "../src/index.ts";
import { useTestBackend } from "./helpers/backend.ts";

beforeAll(async () => {
  await useTestBackend();
});

/** Reference recurrences in double precision (spec §3 / torch.optim.AdamW docs), one scalar parameter. */
function reference(kind: OptimName, p0: number, grads: number[], lrs: number[], wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-6): number[] {
  let p = p0;
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1;
    const lr = lrs[i]!;
    if (kind === "adamw_torch") p *= 1 - lr * wd;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    if (kind === "adamw_torch") {
      p -= (lr / (1 - b1 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps));
    } else {
      p -= ((lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)) * (m / (Math.sqrt(v) + eps));
      if (wd > 0) p -= lr * wd * p;
    }
    out.push(p);
  });
  return out;
}

function run(kind: OptimName, p0: number[], grads: number[][], lrs: number[], wd: number): number[][] {
  const p = tf.variable(tf.tensor1d(p0));
  const opt = new AdamW([{ name: "g", params: new Map([["p", p]]), lr: 0, weightDecay: wd }], { kind });
  const out: number[][] = [];
  grads.forEach((g, i) => {
    opt.setLearningRates([lrs[i]!]);
    const gt = tf.tensor1d(g);
    opt.step(new Map([["p", gt]]));
    gt.dispose();
    out.push(Array.from(p.dataSync()));
  });
  opt.dispose();
  p.dispose();
  return out;
}

describe("AdamW recurrences", () => {
  // Gradients chosen so that eps matters for the small one (1e-7 ~ eps): that separates the two flavours.
  const p0 = [1.0, -0.5, 0.25];
  const grads = [
    [0.5, 1e-7, -0.02],
    [-0.2, 3e-7, -0.01],
    [0.1, -2e-7, 0.03],
    [0.3, 1e-7, 0.0],
  ];
  const lrs = [0.0, 0.15, 0.3, 0.1];
  for (const kind of ["adamw_torch", "adamw_hf"] as const) {
    for (const wd of [0, 0.01]) {
      it(`${kind}, weight decay ${wd}: matches the double-precision recurrence`, () => {
        const got = run(kind, p0, grads, lrs, wd);
        p0.forEach((x, j) => {
          const ref = reference(kind, x, grads.map((g) => g[j]!), lrs, wd);
          ref.forEach((r, i) => expect(Math.abs(got[i]![j]! - r), `${kind} step ${i} elem ${j}`).toBeLessThan(2e-7 + 2e-7 * Math.abs(r)));
        });
      });
    }
  }

  it("the two flavours differ where eps is comparable to sqrt(v) (eps before vs after bias correction)", () => {
    const torch = run("adamw_torch", p0, grads, lrs, 0);
    const hf = run("adamw_hf", p0, grads, lrs, 0);
    expect(Math.abs(torch[3]![1]! - hf[3]![1]!)).toBeGreaterThan(1e-3);
    // For large gradients the flavours agree closely.
    expect(Math.abs(torch[3]![0]! - hf[3]![0]!)).toBeLessThan(1e-4);
  });

  it("an lr-0 step leaves parameters unchanged but advances the moments and the step count", () => {
    for (const kind of ["adamw_torch", "adamw_hf"] as const) {
      const p = tf.variable(tf.tensor1d([2, 3]));
      const opt = new AdamW([{ name: "g", params: new Map([["p", p]]), lr: 0, weightDecay: 0.1 }], { kind });
      const g = tf.tensor1d([1, -1]);
      opt.step(new Map([["p", g]]));
      expect(Array.from(p.dataSync())).toEqual([2, 3]);
      expect(opt.stepOf("p")).toBe(1);
      const st = opt.exportState().params.p!;
      expect(st.expAvg[0]).toBeCloseTo(0.1, 7);
      expect(st.expAvgSq[0]).toBeCloseTo(0.001, 9);
      g.dispose();
      opt.dispose();
      p.dispose();
    }
  });

  it("skips parameters without a gradient (like torch's p.grad is None)", () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const opt = new AdamW([{ name: "g", params: new Map([["a", a], ["b", b]]), lr: 0.1, weightDecay: 0 }], { kind: "adamw_torch" });
    const g = tf.tensor1d([1]);
    opt.step(new Map([["a", g]]));
    expect(a.dataSync()[0]).toBeLessThan(1);
    expect(b.dataSync()[0]).toBe(1);
    expect(opt.stepOf("b")).toBe(0);
    g.dispose();
    opt.dispose();
    a.dispose();
    b.dispose();
  });
});

describe("AdamW state", () => {
  it("export + load into a fresh optimizer continues bit-identically", () => {
    const g = [tf.tensor2d([[0.1, -0.2], [0.3, 0.05]]), tf.tensor2d([[-0.1, 0.2], [0.1, 0.0]]), tf.tensor2d([[0.4, 0.1], [-0.3, 0.2]])];
    const mk = (init: tf.Tensor) => {
      const p = tf.variable(init.clone());
      return { p, opt: new AdamW([{ name: "g", params: new Map([["w", p]]), lr: 0.05, weightDecay: 0 }], { kind: "adamw_hf" }) };
    };
    const init = tf.tensor2d([[1, 2], [3, 4]]);
    const full = mk(init);
    for (const x of g) full.opt.step(new Map([["w", x]]));
    const first = mk(init);
    first.opt.step(new Map([["w", g[0]!]]));
    const saved = first.opt.exportState();
    const resumed = mk(first.p);
    resumed.opt.loadState(saved);
    resumed.opt.step(new Map([["w", g[1]!]]));
    resumed.opt.step(new Map([["w", g[2]!]]));
    expect(Array.from(resumed.p.dataSync())).toEqual(Array.from(full.p.dataSync()));
    expect(resumed.opt.stepOf("w")).toBe(3);
    for (const r of [full, first, resumed]) {
      r.opt.dispose();
      r.p.dispose();
    }
    for (const x of [...g, init]) x.dispose();
  });

  it("refuses state of another flavour or shape", () => {
    const p = tf.variable(tf.zeros([2]));
    const opt = new AdamW([{ name: "g", params: new Map([["w", p]]), lr: 0.1, weightDecay: 0 }], { kind: "adamw_torch" });
    const bad = { kind: "adamw_hf" as const, betas: [0.9, 0.999] as [number, number], eps: 1e-6, groups: [{ name: "g", lr: 0.1, weightDecay: 0, params: ["w"] }], params: {} };
    expect(() => opt.loadState(bad, "x.json")).toThrow(/x\.json: saved with optim 'adamw_hf'/);
    const badShape = { ...bad, kind: "adamw_torch" as const, params: { w: { step: 1, shape: [3], expAvg: new Float32Array(3), expAvgSq: new Float32Array(3) } } };
    expect(() => opt.loadState(badShape)).toThrow(/shape \[3\]/);
    opt.dispose();
    p.dispose();
  });
});

describe("AdamW validation", () => {
  it("rejects unknown flavours, duplicate parameters and gradient shape mismatches", () => {
    const p = tf.variable(tf.zeros([2]));
    const groups = () => [{ name: "g", params: new Map([["w", p]]), lr: 0.1, weightDecay: 0 }];
    expect(() => new AdamW(groups(), { kind: "sgd" as OptimName })).toThrow(TrainerConfigError);
    expect(() => new AdamW([...groups(), ...groups()], { kind: "adamw_hf" })).toThrow(/more than one param group/);
    const opt = new AdamW(groups(), { kind: "adamw_hf" });
    const g = tf.zeros([3]);
    expect(() => opt.step(new Map([["w", g]]))).toThrow(/gradient for 'w' has shape \[3\]/);
    expect(() => opt.setLearningRates([1, 2])).toThrow(/expected 1 learning rates/);
    g.dispose();
    opt.dispose();
    p.dispose();
  });
});
