// Checkpoint I/O: Python-json formatting (byte-exact against HF files of the DePT RTE run), trainer_state round
// trip, *_results.json, rotation semantics, checkpoint save/load, atomicity.
import { mkdtemp, readFile, readdir, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  checkpointsToDelete,
  loadCheckpoint,
  loadTrainerState,
  pyFloatRepr,
  pyRound,
  rotateCheckpoints,
  saveCheckpoint,
  saveMetrics,
  trainerStateJson,
  newTrainerState,
  CheckpointError,
  type CheckpointContents,
} from "../src/index.ts";

const HF = fileURLToPath(new URL("./fixtures/hf-rte/", import.meta.url));
const tmp = () => mkdtemp(join(tmpdir(), "dept-trainer-io-"));

describe("Python float repr", () => {
  it("matches repr() on the usual cases", () => {
    const cases: [number, string][] = [
      [0, "0.0"], [1, "1.0"], [0.4, "0.4"], [1e-5, "1e-05"], [0.0001, "0.0001"], [2.915982679788749e17, "2.915982679788749e+17"],
      [384.61538461538464, "384.61538461538464"], [1e16, "1e+16"], [1234567890123456, "1234567890123456.0"], [-0.5, "-0.5"],
      [0.39322033898305087, "0.39322033898305087"], [5e-324, "5e-324"], [123.0, "123.0"], [-2.5e-7, "-2.5e-07"],
    ];
    for (const [x, s] of cases) expect(pyFloatRepr(x), String(x)).toBe(s);
  });

  it("rounds half to even like Python's round()", () => {
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(2.5, 0)).toBe(2);
    expect(pyRound(-3.5, 0)).toBe(-4);
    expect(pyRound(6.410256, 2)).toBe(6.41);
    expect(pyRound(0.99884, 4)).toBe(0.9988);
  });
});

describe("trainer_state.json", () => {
  it("re-serialises HF's own file byte for byte", async () => {
    const path = join(HF, "trainer_state.excerpt.json");
    const text = await readFile(path, "utf8");
    const state = await loadTrainerState(path);
    expect(state.best_model_checkpoint).toMatch(/checkpoint-23000$/);
    expect(trainerStateJson(state)).toBe(text);
  });

  it("new states carry the newer HF fields and reload", async () => {
    const dir = await tmp();
    const s = newTrainerState({ maxSteps: 6, numTrainEpochs: 6, loggingSteps: 1, evalSteps: 2, saveSteps: 2, trainBatchSize: 8 });
    s.log_history.push({ loss: 10.3658, grad_norm: 0.2776126265525818, learning_rate: 0.15, epoch: 1.0, step: 1 });
    const file = join(dir, "trainer_state.json");
    await writeFile(file, trainerStateJson(s));
    const text = await readFile(file, "utf8");
    expect(text).toContain('"learning_rate": 0.15');
    expect(text).toContain('"epoch": 1.0');
    expect(text).toContain('"step": 1\n');
    expect(text).toContain('"train_batch_size": 8');
    expect(await loadTrainerState(file)).toEqual(s);
  });

  it("names the file and the problem for a bad state", async () => {
    const dir = await tmp();
    const file = join(dir, "trainer_state.json");
    await writeFile(file, '{"global_step": "x"}');
    await expect(loadTrainerState(file)).rejects.toThrow(/trainer_state\.json: trainer state field 'global_step' must be a number/);
    await expect(loadTrainerState(join(dir, "nope.json"))).rejects.toBeInstanceOf(CheckpointError);
  });
});

describe("*_results.json", () => {
  it("writes train/eval/test/all results exactly as HF's save_metrics", async () => {
    const dir = await tmp();
    await saveMetrics(dir, "train", { epoch: 384.62, train_loss: 0.16253409945170086, train_runtime: 21406.7945, train_samples: 2490, train_samples_per_second: 44.846, train_steps_per_second: 1.401 });
    await saveMetrics(dir, "eval", { epoch: 384.62, eval_accuracy: 82.6086956521739, eval_loss: 0.3062906265258789, eval_runtime: 2.6872, eval_samples_per_second: 51.354, eval_steps_per_second: 1.861 });
    await saveMetrics(dir, "test", { epoch: 384.62, test_accuracy: 79.13669064748201, test_loss: 0.35212576389312744, test_runtime: 2.9364, test_samples_per_second: 47.338, test_steps_per_second: 1.703 });
    for (const f of ["train_results.json", "eval_results.json", "all_results.json"]) {
      expect(await readFile(join(dir, f), "utf8"), f).toBe(await readFile(join(HF, f), "utf8"));
    }
    expect(JSON.parse(await readFile(join(dir, "test_results.json"), "utf8"))).toMatchObject({ test_accuracy: 79.13669064748201 });
  });
});

describe("checkpoint rotation (HF _rotate_checkpoints)", () => {
  const ck = (n: number) => `/o/checkpoint-${n}`;
  it("keeps the newest N, and the best moved to second-to-last", () => {
    const sorted = [1, 2, 3, 4, 5].map(ck);
    expect(checkpointsToDelete(sorted, 2, null)).toEqual([ck(1), ck(2), ck(3)]);
    // best = 2: order becomes 1,3,4,2,5 -> keep 2 and 5.
    expect(checkpointsToDelete(sorted, 2, ck(2))).toEqual([ck(1), ck(3), ck(4)]);
    // limit 1 with a best that is not the newest keeps two (best + newest) so the run can resume.
    expect(checkpointsToDelete(sorted, 1, ck(3))).toEqual([ck(1), ck(2), ck(4)]);
    expect(checkpointsToDelete(sorted, 1, ck(5))).toEqual([ck(1), ck(2), ck(3), ck(4)]);
    expect(checkpointsToDelete(sorted, null, ck(5))).toEqual([]);
    expect(checkpointsToDelete(sorted, 3, ck(1))).toEqual([ck(2), ck(3)]);
  });

  it("deletes folders in numeric (not lexical) step order", async () => {
    const dir = await tmp();
    for (const n of [5, 10, 15, 100]) await mkdir(join(dir, `checkpoint-${n}`));
    await mkdir(join(dir, "runs"));
    const deleted = await rotateCheckpoints(dir, 1, join(dir, "checkpoint-10"));
    expect(deleted).toEqual(["checkpoint-5", "checkpoint-15"]);
    expect((await readdir(dir)).sort()).toEqual(["checkpoint-10", "checkpoint-100", "runs"]);
  });
});

describe("checkpoint save/load", () => {
  const contents = (): CheckpointContents => ({
    optimizer: {
      kind: "adamw_hf",
      betas: [0.9, 0.999],
      eps: 1e-6,
      groups: [
        { name: "prompt", lr: 0.15, weightDecay: 0, params: ["P"] },
        { name: "lora_embedding", lr: 0.0025, weightDecay: 0, params: ["A", "B"] },
      ],
      params: {
        P: { step: 3, shape: [2, 2], expAvg: new Float32Array([1, 2, 3, 4]), expAvgSq: new Float32Array([5, 6, 7, 8]) },
        A: { step: 3, shape: [3], expAvg: new Float32Array([0.5, -1, 2]), expAvgSq: new Float32Array([1e-8, 0, 3]) },
      },
    },
    scheduler: { lastStep: 3, warmupSteps: 2, totalSteps: 6, baseLrs: [0.3, 0.005] },
    rng: { seed: 42, epoch: 1, batchInEpoch: 2, dropoutCounter: 3 },
    trainerState: newTrainerState({ maxSteps: 6, numTrainEpochs: 2, loggingSteps: 1, evalSteps: 2, saveSteps: 2, trainBatchSize: 4 }),
    trainingArgs: { learning_rate: 0.3, seed: 42 },
  });

  it("round-trips optimizer moments, scheduler, rng, trainer state and args; calls the adapter writer", async () => {
    const dir = join(await tmp(), "checkpoint-3");
    const c = contents();
    await saveCheckpoint(dir, c, async (d) => writeFile(join(d, "adapter_config.json"), "{}"));
    expect((await readdir(dir)).sort()).toEqual(
      ["adapter_config.json", "optimizer.json", "optimizer.safetensors", "rng_state.json", "scheduler.json", "trainer_state.json", "training_args.json"],
    );
    const back = await loadCheckpoint(dir);
    expect(back).toEqual(c);
  });

  it("leaves no folder when writing fails, and names a missing file", async () => {
    const root = await tmp();
    const dir = join(root, "checkpoint-3");
    await expect(saveCheckpoint(dir, contents(), () => Promise.reject(new Error("disk full")))).rejects.toThrow("disk full");
    expect(await readdir(root)).toEqual([]);
    await mkdir(dir);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/checkpoint-3\/optimizer\.json: missing optimizer metadata/);
  });
});
