// Linear warmup/decay multipliers (HF get_linear_schedule_with_warmup), global-norm clipping (torch
// clip_grad_norm_) and HF-style gradient accumulation.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { clipGradNorm, GradientAccumulator, LinearWarmupSchedule, linearWarmupMultiplier, TrainerConfigError, type SchedulerState } from "../src/index.ts";
import { useTestBackend } from "./helpers/backend.ts";

beforeAll(async () => {
  await useTestBackend();
});

describe("linear schedule with warmup", () => {
  it("is 0 at step 0, peaks at warmup, reaches 0 at max_steps and stays there", () => {
    expect(linearWarmupMultiplier(0, 500, 40000)).toBe(0);
    expect(linearWarmupMultiplier(250, 500, 40000)).toBe(0.5);
    expect(linearWarmupMultiplier(500, 500, 40000)).toBe(1);
    expect(linearWarmupMultiplier(20250, 500, 40000)).toBe(0.5);
    expect(linearWarmupMultiplier(40000, 500, 40000)).toBe(0);
    expect(linearWarmupMultiplier(40001, 500, 40000)).toBe(0);
    // warmup 0: full lr at step 0 (max(1, warmup) guards the division).
    expect(linearWarmupMultiplier(0, 0, 10)).toBe(1);
    // the released RTE run (trainer_state.json log at step 1000, lr 0.4, warmup 500, 30k steps):
    expect(0.4 * linearWarmupMultiplier(1000, 500, 30000)).toBeCloseTo(0.39322033898305087, 15);
  });

  it("applies the same multiplier to every group and round-trips its state", () => {
    const s = new LinearWarmupSchedule([0.3, 0.005], 2, 6);
    expect(s.currentLrs()).toEqual([0, 0]);
    s.advance();
    s.advance();
    s.advance();
    expect(s.currentLrs()[0]).toBeCloseTo(0.225, 15);
    expect(s.currentLrs()[1]).toBeCloseTo(0.00375, 15);
    const r = LinearWarmupSchedule.fromState(JSON.parse(JSON.stringify(s.state())) as SchedulerState);
    expect(r.currentLrs()).toEqual(s.currentLrs());
    expect(() => new LinearWarmupSchedule([0.3], 2, 0)).toThrow(/max_steps/);
    expect(() => new LinearWarmupSchedule([-1], 2, 5)).toThrow(TrainerConfigError);
  });
});

describe("clipGradNorm", () => {
  it("measures the global L2 norm over all tensors and scales by max/(norm+1e-6) only when < 1", () => {
    const g = new Map<string, tf.Tensor>([["a", tf.tensor1d([3, 0])], ["b", tf.tensor2d([[0, 4]])]]);
    const r = clipGradNorm(g, 1.0);
    expect(r.totalNorm).toBeCloseTo(5, 6);
    expect(r.clipCoef).toBeCloseTo(1 / (5 + 1e-6), 7);
    expect(Array.from(r.grads.get("a")!.dataSync())[0]).toBeCloseTo(3 / 5, 6);
    const loose = clipGradNorm(g, 10);
    expect(loose.clipCoef).toBe(1);
    expect(Array.from(loose.grads.get("b")!.dataSync())).toEqual([0, 4]);
    const off = clipGradNorm(g, null);
    expect(off.clipCoef).toBe(1);
    expect(off.totalNorm).toBeCloseTo(5, 6);
    for (const m of [g, r.grads, loose.grads, off.grads]) for (const t of m.values()) t.dispose();
  });

  it("reports a non-finite norm without clipping", () => {
    const g = new Map<string, tf.Tensor>([["a", tf.tensor1d([NaN, 1])]]);
    const r = clipGradNorm(g, 1.0);
    expect(Number.isNaN(r.totalNorm)).toBe(true);
    expect(r.clipCoef).toBe(1);
    for (const m of [g, r.grads]) for (const t of m.values()) t.dispose();
  });
});

describe("GradientAccumulator", () => {
  it("summed grads of loss/accum over equal micro-batches equal the grads of the full-batch mean loss", () => {
    const w = tf.variable(tf.tensor2d([[0.5], [-0.25]]));
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const y = tf.tensor2d([[1], [0], [2], [1]]);
    const lossOf = (xs: tf.Tensor2D, ys: tf.Tensor2D): tf.Scalar => tf.mean<tf.Scalar>(tf.square(tf.sub(tf.matMul(xs, w), ys)));
    const full = tf.variableGrads(() => lossOf(x, y), [w]);
    const acc = new GradientAccumulator(2);
    for (let i = 0; i < 2; i++) {
      const xs = x.slice([2 * i, 0], [2, 2]);
      const ys = y.slice([2 * i, 0], [2, 1]);
      const { value, grads } = tf.variableGrads(() => tf.mul(lossOf(xs, ys), acc.lossScale), [w]);
      acc.add(new Map(Object.entries(grads)), value.dataSync()[0]!);
      value.dispose();
      xs.dispose();
      ys.dispose();
    }
    expect(acc.ready()).toBe(true);
    const { grads, loss, microBatches } = acc.take();
    expect(microBatches).toBe(2);
    expect(loss).toBeCloseTo(full.value.dataSync()[0]!, 4);
    const got = grads.get(w.name)!.dataSync();
    const ref = full.grads[w.name]!.dataSync();
    got.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 4));
    expect(acc.count).toBe(0);
    for (const t of [...grads.values(), ...Object.values(full.grads), full.value, w, x, y]) t.dispose();
    expect(() => new GradientAccumulator(0)).toThrow(/gradient_accumulation_steps/);
  });
});
