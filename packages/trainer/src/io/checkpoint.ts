// checkpoint-<step>/ folders as HF Trainer writes them (trainer.py `_save_checkpoint`), with JSON/safetensors in
// place of torch pickles:
//   adapter_config.json + adapter_model.safetensors   (written by the caller's adapter writer: @dept/peft)
//   optimizer.safetensors  Adam moments: "<param>.exp_avg", "<param>.exp_avg_sq" (float32)
//   optimizer.json         optim flavour, betas, eps, param groups (lr, weight_decay, params), per-param step
//   scheduler.json         LambdaLR state (last step, warmup, total, base lrs)
//   rng_state.json         what the data order / dropout streams need to continue (seed, epoch, position)
//   trainer_state.json     HF TrainerState (see trainer-state.ts)
//   training_args.json     the full run configuration (HF pickles training_args.bin)
// The folder is written under a temporary name and renamed, so a checkpoint is complete or absent.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readSafetensors, writeSafetensors, type SafetensorsFile, type SafetensorsTensor } from "@dept/runtime";
import type { AdamWState, OptimName } from "../optim/adamw.ts";
import type { SchedulerState } from "../schedule.ts";
import { CheckpointError } from "../errors.ts";
import { writeDirAtomic, writeFileAtomic } from "./atomic.ts";
import { loadTrainerState, saveTrainerState, type TrainerStateData } from "./trainer-state.ts";

export const OPTIMIZER_FILE = "optimizer.safetensors";
export const OPTIMIZER_META_FILE = "optimizer.json";
export const SCHEDULER_FILE = "scheduler.json";
export const RNG_FILE = "rng_state.json";
export const TRAINER_STATE_FILE = "trainer_state.json";
export const TRAINING_ARGS_FILE = "training_args.json";

/** Position of the data stream: the shuffle of epoch e is a permutation seeded by (seed, e). */
export interface RngState {
  seed: number;
  epoch: number;
  /** Micro-batches of `epoch` already consumed. */
  batchInEpoch: number;
  /** Counter mixed into dropout seeds so a resumed run draws the same masks. */
  dropoutCounter: number;
}

export interface CheckpointContents {
  optimizer: AdamWState;
  scheduler: SchedulerState;
  rng: RngState;
  trainerState: TrainerStateData;
  trainingArgs: Record<string, unknown>;
}

interface OptimizerMeta {
  kind: OptimName;
  betas: [number, number];
  eps: number;
  param_groups: { name: string; lr: number; weight_decay: number; params: string[] }[];
  state: Record<string, { step: number }>;
}

export async function saveCheckpoint(dir: string, contents: CheckpointContents, writeAdapter: (dir: string) => Promise<void>): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    await writeAdapter(tmp);
    const tensors = new Map<string, SafetensorsTensor>();
    const meta: OptimizerMeta = {
      kind: contents.optimizer.kind,
      betas: contents.optimizer.betas,
      eps: contents.optimizer.eps,
      param_groups: contents.optimizer.groups.map((g) => ({ name: g.name, lr: g.lr, weight_decay: g.weightDecay, params: g.params })),
      state: {},
    };
    for (const [name, st] of Object.entries(contents.optimizer.params)) {
      tensors.set(`${name}.exp_avg`, { dtype: "F32", shape: st.shape, data: st.expAvg });
      tensors.set(`${name}.exp_avg_sq`, { dtype: "F32", shape: st.shape, data: st.expAvgSq });
      meta.state[name] = { step: st.step };
    }
    await writeSafetensors(join(tmp, OPTIMIZER_FILE), tensors, { format: "pt" });
    await writeFileAtomic(join(tmp, OPTIMIZER_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    await writeFileAtomic(join(tmp, SCHEDULER_FILE), `${JSON.stringify(contents.scheduler, null, 2)}\n`);
    await writeFileAtomic(join(tmp, RNG_FILE), `${JSON.stringify(contents.rng, null, 2)}\n`);
    await writeFileAtomic(join(tmp, TRAINING_ARGS_FILE), `${JSON.stringify(contents.trainingArgs, null, 2)}\n`);
    await saveTrainerState(join(tmp, TRAINER_STATE_FILE), contents.trainerState);
  });
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new CheckpointError(path, `missing ${what}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch {
    throw new CheckpointError(path, `${what} is not a JSON object`);
  }
}

function isNum(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** Reads everything but the adapter (which @dept/peft's loadAdapter reads from the same folder). */
export async function loadCheckpoint(dir: string): Promise<CheckpointContents> {
  const metaPath = join(dir, OPTIMIZER_META_FILE);
  const meta = (await readJson(metaPath, "optimizer metadata")) as unknown as OptimizerMeta;
  if ((meta.kind !== "adamw_hf" && meta.kind !== "adamw_torch") || !Array.isArray(meta.param_groups) || typeof meta.state !== "object") {
    throw new CheckpointError(metaPath, "expected {kind: adamw_hf|adamw_torch, betas, eps, param_groups, state}");
  }
  const optPath = join(dir, OPTIMIZER_FILE);
  let file: SafetensorsFile;
  try {
    file = await readSafetensors(optPath);
  } catch (error) {
    throw new CheckpointError(optPath, `cannot read optimizer moments (${(error as Error).message})`);
  }
  const tensors = file.tensors;
  const params: AdamWState["params"] = {};
  for (const [name, st] of Object.entries(meta.state)) {
    const m = tensors.get(`${name}.exp_avg`);
    const v = tensors.get(`${name}.exp_avg_sq`);
    if (m === undefined || v === undefined) throw new CheckpointError(optPath, `missing moments for '${name}'`);
    if (!(m.data instanceof Float32Array) || !(v.data instanceof Float32Array)) throw new CheckpointError(optPath, `moments of '${name}' are not floating point`);
    if (!isNum(st.step)) throw new CheckpointError(metaPath, `state.${name}.step must be a number`);
    params[name] = { step: st.step, shape: m.shape, expAvg: m.data, expAvgSq: v.data };
  }
  const optimizer: AdamWState = {
    kind: meta.kind,
    betas: meta.betas,
    eps: meta.eps,
    groups: meta.param_groups.map((g) => ({ name: g.name, lr: g.lr, weightDecay: g.weight_decay, params: g.params })),
    params,
  };
  const schedPath = join(dir, SCHEDULER_FILE);
  const sched = await readJson(schedPath, "scheduler state");
  if (!isNum(sched.lastStep) || !isNum(sched.warmupSteps) || !isNum(sched.totalSteps) || !Array.isArray(sched.baseLrs)) {
    throw new CheckpointError(schedPath, "expected {lastStep, warmupSteps, totalSteps, baseLrs}");
  }
  const rngPath = join(dir, RNG_FILE);
  const rng = await readJson(rngPath, "rng state");
  if (!isNum(rng.seed) || !isNum(rng.epoch) || !isNum(rng.batchInEpoch) || !isNum(rng.dropoutCounter)) {
    throw new CheckpointError(rngPath, "expected {seed, epoch, batchInEpoch, dropoutCounter}");
  }
  return {
    optimizer,
    scheduler: sched as unknown as SchedulerState,
    rng: rng as unknown as RngState,
    trainerState: await loadTrainerState(join(dir, TRAINER_STATE_FILE)),
    trainingArgs: await readJson(join(dir, TRAINING_ARGS_FILE), "training arguments"),
  };
}
