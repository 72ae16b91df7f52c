// The training loop on a small least-squares model whose trainable names mimic DePT's
// (prompt_embeddings, prompt_encoder.lora_embedding_A/B): groups, logging, eval/save/best/rotation,
// resume equality, non-finite stop, tensor hygiene.
import * as tf from "@tensorflow/tfjs";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { NonFiniteLossError, runTrainingLoop, type LoopConfig, type LoopHooks, type TrainModel } from "../src/index.ts";
import { useTestBackend } from "./helpers/backend.ts";

beforeAll(async () => {
  await useTestBackend();
});

interface ToyBatch {
  x: number[][];
  y: number[];
}

const N = 10;
const X = Array.from({ length: N }, (_, i) => [Math.sin(i + 1), Math.cos(2 * i), (i % 3) - 1]);
const Y = X.map((r, i) => r[0]! * 0.7 - r[1]! * 0.2 + r[2]! * 0.1 + 0.05 * (i % 2));

function toyModel(nanAtCall: number | null = null): TrainModel<ToyBatch> & { vars: Map<string, tf.Variable>; calls: number } {
  const vars = new Map<string, tf.Variable>([
    ["prompt_embeddings", tf.variable(tf.tensor2d([[0.1], [0.2], [-0.1]]))],
    ["prompt_encoder.lora_embedding_A", tf.variable(tf.tensor2d([[0.3, -0.2]]))],
    ["prompt_encoder.lora_embedding_B", tf.variable(tf.tensor2d([[0.05], [0.1]]))],
  ]);
  const m = {
    vars,
    calls: 0,
    trainable: vars,
    loss(batch: ToyBatch, opts: { training: boolean; seed: number }): tf.Scalar {
      m.calls += 1;
      const x = tf.tensor2d(batch.x);
      const y = tf.tensor2d(batch.y, [batch.y.length, 1]);
      // "dropout" keyed by the seed: scales the prediction by 1 + (seed % 7)/100 so the order of seeds matters.
      const noise = opts.training ? 1 + (opts.seed % 7) / 100 : 1;
      const w = tf.add(vars.get("prompt_embeddings")!, tf.sum(tf.matMul(vars.get("prompt_encoder.lora_embedding_A")!, vars.get("prompt_encoder.lora_embedding_B")!)));
      const pred = tf.mul(tf.matMul(x, w), noise);
      const l = tf.mean<tf.Scalar>(tf.square(tf.sub(pred, y)));
      return nanAtCall !== null && m.calls >= nanAtCall ? tf.mul<tf.Scalar>(l, NaN) : l;
    },
  };
  return m;
}

const data = {
  trainSize: N,
  trainBatch: (idx: readonly number[]): ToyBatch => ({ x: idx.map((i) => X[i]!), y: idx.map((i) => Y[i]!) }),
};

function order(n: number, epoch: number): Int32Array {
  // A fixed, epoch-dependent permutation (the real run uses @dept/runtime's torchRandperm).
  return Int32Array.from({ length: n }, (_, i) => (i * 3 + epoch * 7) % n);
}

function hooksFor(m: ReturnType<typeof toyModel>, extra: Partial<LoopHooks> = {}): LoopHooks {
  return {
    order,
    saveAdapter: async (dir) => {
      const obj: Record<string, number[]> = {};
      for (const [k, v] of m.vars) obj[k] = Array.from(v.dataSync());
      await writeFile(join(dir, "adapter.json"), JSON.stringify(obj));
    },
    loadAdapter: async (dir) => {
      const obj = JSON.parse(await readFile(join(dir, "adapter.json"), "utf8")) as Record<string, number[]>;
      for (const [k, v] of m.vars) tf.tidy(() => v.assign(tf.tensor(obj[k]!, v.shape)));
    },
    ...extra,
  };
}

async function cfg(over: Partial<LoopConfig> = {}): Promise<LoopConfig> {
  return {
    outputDir: await mkdtemp(join(tmpdir(), "dept-loop-")),
    seed: 42,
    maxSteps: 6,
    warmupSteps: 2,
    trainBatchSize: 3,
    gradientAccumulationSteps: 2,
    maxGradNorm: 1.0,
    learningRate: 0.1,
    loraEmbeddingLr: 0.01,
    weightDecay: 1e-5,
    applyWeightDecay: false,
    optim: "adamw_hf",
    loggingSteps: 2,
    evalStrategy: "no",
    evalSteps: 2,
    saveStrategy: "no",
    saveSteps: 2,
    saveTotalLimit: null,
    loadBestModelAtEnd: false,
    metricForBestModel: "accuracy",
    greaterIsBetter: true,
    shuffle: true,
    resumeFromCheckpoint: null,
    trainingArgs: {},
    ...over,
  };
}

const values = (m: ReturnType<typeof toyModel>) => [...m.vars.values()].map((v) => Array.from(v.dataSync()));

describe("runTrainingLoop", () => {
  it("logs HF-style entries, reports ignored weight decay and keeps the tensor count flat", async () => {
    const m = toyModel();
    const logs: Record<string, number>[] = [];
    const messages: string[] = [];
    const counts: number[] = [];
    const r = await runTrainingLoop(await cfg(), m, data, hooksFor(m, { onLog: (e) => logs.push(e), onMessage: (l) => messages.push(l), onStep: () => counts.push(tf.memory().numTensors) }));
    expect(r.globalStep).toBe(6);
    expect(r.appliedWeightDecay).toBe(0);
    expect(messages[0]).toMatch(/--weight_decay 1e-05 ignored|--weight_decay 0\.00001 ignored/);
    expect(messages[0]).toContain("lora_embedding [prompt_encoder.lora_embedding_A, prompt_encoder.lora_embedding_B] lr 0.01");
    // 10 examples / batch 3 -> 4 micro-batches per epoch -> 2 updates per epoch (accumulation 2).
    const train = logs.filter((e) => "loss" in e);
    expect(train.map((e) => e.step)).toEqual([2, 4, 6]);
    expect(train.map((e) => e.epoch)).toEqual([1, 2, 3]);
    // learning_rate is logged after the scheduler step (lr of the next update): 0.1 * f(2), f(4), f(6).
    expect(train.map((e) => e.learning_rate)).toEqual([0.1, 0.05, 0]);
    expect(r.state.num_train_epochs).toBe(3);
    expect(logs.at(-1)).toMatchObject({ step: 6, epoch: 3 });
    expect(new Set(counts).size).toBe(1);
    for (const v of m.vars.values()) v.dispose();
  });

  it("second group at --lora_embedding_lr, first at --learning_rate", async () => {
    const m = toyModel();
    const before = values(m);
    await runTrainingLoop(await cfg({ loraEmbeddingLr: 0 }), m, data, hooksFor(m));
    const after = values(m);
    expect(after[0]).not.toEqual(before[0]);
    expect(after[1]).toEqual(before[1]);
    expect(after[2]).toEqual(before[2]);
    for (const v of m.vars.values()) v.dispose();
  });

  it("evaluates, tracks the best, rotates checkpoints and loads the best at the end", async () => {
    const m = toyModel();
    const scores = [50, 70, 60];
    const loaded: string[] = [];
    const base = hooksFor(m);
    const c = await cfg({ evalStrategy: "steps", saveStrategy: "steps", saveTotalLimit: 1, loadBestModelAtEnd: true });
    const r = await runTrainingLoop(c, m, data, {
      ...base,
      evaluate: () => Promise.resolve({ metrics: { accuracy: scores.shift()!, loss: 0.5 }, samples: 4, batches: 1, runtimeS: 0.5 }),
      loadAdapter: async (dir) => {
        loaded.push(dir);
        await base.loadAdapter(dir);
      },
    });
    expect(r.bestCheckpoint).toBe(join(c.outputDir, "checkpoint-4"));
    expect(r.state.best_metric).toBe(70);
    expect(loaded).toEqual([join(c.outputDir, "checkpoint-4")]);
    expect((await readdir(c.outputDir)).filter((d) => d.startsWith("checkpoint")).sort()).toEqual(["checkpoint-4", "checkpoint-6"]);
    const evals = r.state.log_history.filter((e) => "eval_accuracy" in e);
    expect(evals.map((e) => [e.step, e.eval_accuracy, e.eval_samples_per_second])).toEqual([[2, 50, 8], [4, 70, 8], [6, 60, 8]]);
    const saved = JSON.parse(await readFile(join(c.outputDir, "trainer_state.json"), "utf8")) as { best_model_checkpoint: string };
    expect(saved.best_model_checkpoint).toBe(join(c.outputDir, "checkpoint-4"));
    // the parameters now are the best checkpoint's
    const best = JSON.parse(await readFile(join(c.outputDir, "checkpoint-4", "adapter.json"), "utf8")) as Record<string, number[]>;
    expect(Array.from(m.vars.get("prompt_embeddings")!.dataSync())).toEqual(best.prompt_embeddings);
    for (const v of m.vars.values()) v.dispose();
  });

  it("resuming from a checkpoint reaches the same parameters as an uninterrupted run", async () => {
    for (const optim of ["adamw_hf", "adamw_torch"] as const) {
      const full = toyModel();
      const cFull = await cfg({ optim, saveStrategy: "steps", saveSteps: 3, maxSteps: 7 });
      await runTrainingLoop(cFull, full, data, hooksFor(full));
      const resumed = toyModel();
      const cRes = await cfg({ optim, saveStrategy: "steps", saveSteps: 3, maxSteps: 7, resumeFromCheckpoint: join(cFull.outputDir, "checkpoint-3") });
      const r = await runTrainingLoop(cRes, resumed, data, hooksFor(resumed));
      expect(r.globalStep).toBe(7);
      expect(values(resumed)).toEqual(values(full));
      for (const v of [...full.vars.values(), ...resumed.vars.values()]) v.dispose();
    }
  });

  it("stops with a clear error on a non-finite loss, keeping the best checkpoint", async () => {
    const m = toyModel(15);
    const c = await cfg({ evalStrategy: "steps", saveStrategy: "steps", saveTotalLimit: 1, loadBestModelAtEnd: true, maxSteps: 20 });
    const err = await runTrainingLoop(c, m, data, { ...hooksFor(m), evaluate: () => Promise.resolve({ metrics: { accuracy: 1, loss: 0 }, samples: 1, batches: 1, runtimeS: 1 }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as Error).message).toMatch(/step 8: loss is NaN/);
    expect((err as Error).message).toContain(join(c.outputDir, "checkpoint-2"));
    expect((await readdir(c.outputDir)).filter((d) => d.startsWith("checkpoint"))).toContain("checkpoint-2");
    for (const v of m.vars.values()) v.dispose();
  });

  it("rejects inconsistent best-model settings", async () => {
    const m = toyModel();
    await expect(runTrainingLoop(await cfg({ loadBestModelAtEnd: true, evalStrategy: "steps", saveStrategy: "steps", evalSteps: 2, saveSteps: 3 }), m, data, hooksFor(m))).rejects.toThrow(
      /--save_steps \(3\) to be a multiple of --eval_steps \(2\)/,
    );
    await expect(runTrainingLoop(await cfg({ maxSteps: 0 }), m, data, hooksFor(m))).rejects.toThrow(/--max_steps must be a positive integer/);
    for (const v of m.vars.values()) v.dispose();
  });
});
