// The optimisation loop of HF Trainer (trainer.py `_inner_training_loop` + `_maybe_log_save_evaluate` +
// `_save_checkpoint` + `_rotate_checkpoints`), model-agnostic: the model gives a scalar loss for a batch, the
// data gives batches for index lists, hooks evaluate and write adapters. DePT specifics (two parameter groups,
// ignored weight decay) follow spec §3. Every forward/backward runs in tf.tidy; only the trainable variables
// get gradients.
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { GradientAccumulator } from "./accumulate.ts";
import { clipGradNorm } from "./clip.ts";
import { NonFiniteLossError, TrainerConfigError } from "./errors.ts";
import { loadCheckpoint, saveCheckpoint, type RngState } from "./io/checkpoint.ts";
import { checkpointPath, rotateCheckpoints } from "./io/rotate.ts";
import { newTrainerState, pyRound, saveTrainerState, type LogEntry, type TrainerStateData } from "./io/trainer-state.ts";
import { AdamW, type OptimName, type ParamGroup } from "./optim/adamw.ts";
import { LinearWarmupSchedule } from "./schedule.ts";

/** DePT train.py ~L594-624: these two parameters form the second group (lr = --lora_embedding_lr). */
export const LORA_EMBEDDING_PARAM = /lora_embedding_[AB]$/;

export type IntervalStrategy = "no" | "steps" | "epoch";

export interface LoopConfig {
  outputDir: string;
  seed: number;
  maxSteps: number;
  warmupSteps: number;
  trainBatchSize: number;
  gradientAccumulationSteps: number;
  /** null or <= 0: no clipping (the norm is still logged). */
  maxGradNorm: number | null;
  learningRate: number;
  /** null: one group for every trainable parameter (PROMPT_TUNING / LoRA, or DePT without --lora_embedding_lr). */
  loraEmbeddingLr: number | null;
  /** What the user passed as --weight_decay. */
  weightDecay: number;
  /** false (reference behaviour): the hand-built optimizer ignores --weight_decay, effective 0 (spec §3). */
  applyWeightDecay: boolean;
  optim: OptimName;
  loggingSteps: number;
  evalStrategy: IntervalStrategy;
  evalSteps: number;
  saveStrategy: IntervalStrategy;
  saveSteps: number;
  saveTotalLimit: number | null;
  loadBestModelAtEnd: boolean;
  /** Metric name without the eval_ prefix ("accuracy", "loss"). */
  metricForBestModel: string;
  greaterIsBetter: boolean;
  /** false: file order every epoch (used by the golden trajectory check). */
  shuffle: boolean;
  resumeFromCheckpoint: string | null;
  /** Written into each checkpoint's training_args.json. */
  trainingArgs: Record<string, unknown>;
}

export interface TrainModel<B> {
  /** Trainable variables by saved name (PeftModel.trainable). */
  readonly trainable: ReadonlyMap<string, tf.Variable>;
  /** Mean loss of the batch; called inside tf.tidy / tf.variableGrads. */
  loss: (batch: B, opts: { training: boolean; seed: number }) => tf.Scalar;
}

export interface LoopData<B> {
  readonly trainSize: number;
  trainBatch: (indices: readonly number[]) => B;
  /** Input tokens of a batch (for HF's total_flos estimate). */
  tokenCount?: (batch: B) => number;
}

export interface EvalOutcome {
  /** Un-prefixed task metrics plus "loss". */
  metrics: Record<string, number>;
  samples: number;
  batches: number;
  runtimeS: number;
}

export interface StepInfo {
  step: number;
  maxSteps: number;
  loss: number;
  lrs: number[];
  gradNorm: number;
  clipCoef: number;
  epoch: number;
}

export interface LoopHooks {
  /** Permutation of 0..n-1 for `epoch` (seeded by the caller). */
  order: (n: number, epoch: number) => Int32Array;
  saveAdapter: (dir: string) => Promise<void>;
  /** Restores the trainable variables from an adapter folder (resume, load best at end). */
  loadAdapter: (dir: string) => Promise<void>;
  evaluate?: (split: "eval") => Promise<EvalOutcome>;
  onStep?: (info: StepInfo) => void;
  onLog?: (entry: LogEntry) => void;
  onMessage?: (line: string) => void;
  /** Non-embedding parameter count of the whole model (HF num_parameters(exclude_embeddings=True)). */
  nonEmbeddingParams?: number;
  now?: () => number;
}

export interface LoopResult {
  state: TrainerStateData;
  globalStep: number;
  trainLoss: number;
  trainRuntimeS: number;
  bestCheckpoint: string | null;
  /** Metrics of the train summary (train_runtime, train_loss, ...), HF rounding. */
  trainMetrics: Record<string, number>;
  /** Effective weight decay per group (what was applied). */
  appliedWeightDecay: number;
}

/** Derived dropout seed for micro-batch `counter` (deterministic, so a resumed run draws the same masks). */
export function dropoutSeed(seed: number, counter: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(counter + 1, 0x85ebca6b)) >>> 0;
}

export function validateLoopConfig(c: LoopConfig): void {
  const posInt = (v: number, flag: string) => {
    if (!Number.isInteger(v) || v <= 0) throw new TrainerConfigError(`--${flag} must be a positive integer, got ${v}`);
  };
  posInt(c.maxSteps, "max_steps");
  posInt(c.trainBatchSize, "per_device_train_batch_size");
  posInt(c.gradientAccumulationSteps, "gradient_accumulation_steps");
  if (!Number.isInteger(c.warmupSteps) || c.warmupSteps < 0) throw new TrainerConfigError(`--warmup_steps must be an integer >= 0, got ${c.warmupSteps}`);
  if (!Number.isInteger(c.loggingSteps) || c.loggingSteps < 0) throw new TrainerConfigError(`--logging_steps must be an integer >= 0, got ${c.loggingSteps}`);
  if (c.evalStrategy === "steps") posInt(c.evalSteps, "eval_steps");
  if (c.saveStrategy === "steps") posInt(c.saveSteps, "save_steps");
  if (c.saveTotalLimit !== null && (!Number.isInteger(c.saveTotalLimit) || c.saveTotalLimit < 0)) {
    throw new TrainerConfigError(`--save_total_limit must be an integer >= 0, got ${c.saveTotalLimit}`);
  }
  if (!(c.learningRate >= 0)) throw new TrainerConfigError(`--learning_rate must be >= 0, got ${c.learningRate}`);
  if (c.loraEmbeddingLr !== null && !(c.loraEmbeddingLr >= 0)) throw new TrainerConfigError(`--lora_embedding_lr must be >= 0, got ${c.loraEmbeddingLr}`);
  if (!(c.weightDecay >= 0)) throw new TrainerConfigError(`--weight_decay must be >= 0, got ${c.weightDecay}`);
  if (c.loadBestModelAtEnd) {
    // HF TrainingArguments.__post_init__ enforces the same.
    if (c.evalStrategy !== c.saveStrategy) {
      throw new TrainerConfigError(`--load_best_model_at_end requires the save and eval strategy to match (got save '${c.saveStrategy}', eval '${c.evalStrategy}')`);
    }
    if (c.evalStrategy === "no") throw new TrainerConfigError("--load_best_model_at_end needs --eval_strategy steps or epoch");
    if (c.evalStrategy === "steps" && c.saveSteps % c.evalSteps !== 0) {
      throw new TrainerConfigError(`--load_best_model_at_end requires --save_steps (${c.saveSteps}) to be a multiple of --eval_steps (${c.evalSteps})`);
    }
  }
}

export async function runTrainingLoop<B>(cfg: LoopConfig, model: TrainModel<B>, data: LoopData<B>, hooks: LoopHooks): Promise<LoopResult> {
  validateLoopConfig(cfg);
  if (data.trainSize <= 0) throw new TrainerConfigError("the training set is empty");
  const now = hooks.now ?? (() => performance.now() / 1000);
  const say = (line: string) => hooks.onMessage?.(line);

  // Parameter groups (train.py ~L594-624): group 0 = everything but lora_embedding_A/B at --learning_rate;
  // group 1 = lora_embedding_A/B at --lora_embedding_lr.
  const wd = cfg.applyWeightDecay ? cfg.weightDecay : 0;
  const main = new Map<string, tf.Variable>();
  const lora = new Map<string, tf.Variable>();
  for (const [name, v] of model.trainable) (cfg.loraEmbeddingLr !== null && LORA_EMBEDDING_PARAM.test(name) ? lora : main).set(name, v);
  const groups: ParamGroup[] = [{ name: cfg.loraEmbeddingLr !== null ? "prompt" : "trainable", params: main, lr: cfg.learningRate, weightDecay: wd }];
  if (cfg.loraEmbeddingLr !== null) groups.push({ name: "lora_embedding", params: lora, lr: cfg.loraEmbeddingLr, weightDecay: wd });
  const baseLrs = groups.map((g) => g.lr);
  say(
    `optimizer ${cfg.optim}: ${groups.map((g) => `${g.name} [${[...g.params.keys()].join(", ")}] lr ${g.lr}`).join("; ")}; ` +
      `weight decay applied ${wd}` +
      (cfg.weightDecay > 0 && !cfg.applyWeightDecay ? ` (--weight_decay ${cfg.weightDecay} ignored, as the DePT reference's hand-built optimizer does)` : ""),
  );
  const optimizer = new AdamW(groups, { kind: cfg.optim });
  let schedule = new LinearWarmupSchedule(baseLrs, cfg.warmupSteps, cfg.maxSteps);

  const numBatches = Math.ceil(data.trainSize / cfg.trainBatchSize);
  const updatesPerEpoch = Math.max(1, Math.floor(numBatches / cfg.gradientAccumulationSteps));
  const numTrainEpochs = Math.ceil(cfg.maxSteps / updatesPerEpoch);
  let state = newTrainerState({
    maxSteps: cfg.maxSteps,
    numTrainEpochs,
    loggingSteps: cfg.loggingSteps,
    evalSteps: cfg.evalSteps,
    saveSteps: cfg.saveSteps,
    trainBatchSize: cfg.trainBatchSize,
  });
  let rng: RngState = { seed: cfg.seed, epoch: 0, batchInEpoch: 0, dropoutCounter: 0 };

  const varToSaved = new Map<string, string>();
  for (const [name, v] of model.trainable) varToSaved.set(v.name, name);
  const vars = [...model.trainable.values()];

  try {
    if (cfg.resumeFromCheckpoint !== null) {
      const ck = await loadCheckpoint(cfg.resumeFromCheckpoint);
      await hooks.loadAdapter(cfg.resumeFromCheckpoint);
      optimizer.loadState(ck.optimizer, join(cfg.resumeFromCheckpoint, "optimizer.json"));
      optimizer.groups.forEach((g, i) => (g.lr = baseLrs[i]!));
      schedule = new LinearWarmupSchedule(baseLrs, cfg.warmupSteps, cfg.maxSteps);
      for (let i = 0; i < ck.scheduler.lastStep; i++) schedule.advance();
      state = { ...ck.trainerState, max_steps: cfg.maxSteps, num_train_epochs: numTrainEpochs };
      rng = { ...ck.rng, seed: cfg.seed };
      say(`resumed from ${cfg.resumeFromCheckpoint} at step ${state.global_step} (epoch ${rng.epoch}, batch ${rng.batchInEpoch})`);
    }

    const acc = new GradientAccumulator(cfg.gradientAccumulationSteps);
    const start = now();
    let trLossTotal = 0;
    let windowLoss = 0;
    let windowSteps = 0;
    let tokens = 0;
    const startStep = state.global_step;

    const evaluateNow = async (): Promise<Record<string, number> | null> => {
      if (hooks.evaluate === undefined) return null;
      const out = await hooks.evaluate("eval");
      const entry: LogEntry = {};
      for (const [k, v] of Object.entries(out.metrics)) entry[`eval_${k}`] = v;
      entry.eval_runtime = pyRound(out.runtimeS, 4);
      entry.eval_samples_per_second = pyRound(out.samples / out.runtimeS, 3);
      entry.eval_steps_per_second = pyRound(out.batches / out.runtimeS, 3);
      entry.epoch = pyRound(state.epoch, 2);
      entry.step = state.global_step;
      state.log_history.push(entry);
      hooks.onLog?.(entry);
      return out.metrics;
    };

    const saveNow = async (metrics: Record<string, number> | null): Promise<void> => {
      const dir = checkpointPath(cfg.outputDir, state.global_step);
      const value = metrics?.[cfg.metricForBestModel];
      if (metrics !== null && value === undefined) {
        throw new TrainerConfigError(
          `--metric_for_best_model '${cfg.metricForBestModel}' is not among the evaluation metrics (${Object.keys(metrics).join(", ")})`,
        );
      }
      if (value !== undefined) {
        const better = state.best_metric === null || (cfg.greaterIsBetter ? value > state.best_metric : value < state.best_metric);
        if (better) {
          state.best_metric = value;
          state.best_model_checkpoint = dir;
        }
      }
      await saveCheckpoint(
        dir,
        { optimizer: optimizer.exportState(), scheduler: schedule.state(), rng, trainerState: state, trainingArgs: cfg.trainingArgs },
        hooks.saveAdapter,
      );
      const deleted = await rotateCheckpoints(cfg.outputDir, cfg.saveTotalLimit, state.best_model_checkpoint);
      say(`saved ${dir}${deleted.length > 0 ? ` (deleted ${deleted.join(", ")})` : ""}`);
    };

    while (state.global_step < cfg.maxSteps) {
      const epoch = rng.epoch;
      const order = cfg.shuffle ? hooks.order(data.trainSize, epoch) : Int32Array.from({ length: data.trainSize }, (_, i) => i);
      if (order.length !== data.trainSize) throw new TrainerConfigError(`shuffle order has ${order.length} entries for ${data.trainSize} examples`);
      for (let b = rng.batchInEpoch; b < numBatches; b++) {
        const indices = Array.from(order.subarray(b * cfg.trainBatchSize, Math.min(data.trainSize, (b + 1) * cfg.trainBatchSize)));
        const batch = data.trainBatch(indices);
        tokens += data.tokenCount?.(batch) ?? 0;
        const seed = dropoutSeed(cfg.seed, rng.dropoutCounter);
        rng = { ...rng, dropoutCounter: rng.dropoutCounter + 1, batchInEpoch: b + 1 };
        const scale = acc.lossScale;
        const { value, grads } = tf.tidy(() => tf.variableGrads(() => tf.mul(model.loss(batch, { training: true, seed }), scale), vars));
        const lossValue = value.dataSync()[0]!;
        value.dispose();
        const named = new Map<string, tf.Tensor>();
        for (const [vn, g] of Object.entries(grads)) named.set(varToSaved.get(vn) ?? vn, g);
        if (!Number.isFinite(lossValue)) {
          for (const g of named.values()) g.dispose();
          acc.dispose();
          throw new NonFiniteLossError(state.global_step + 1, lossValue / scale, state.best_model_checkpoint);
        }
        acc.add(named, lossValue);
        if (!acc.ready() && b !== numBatches - 1) continue;

        const taken = acc.take();
        const lrs = schedule.currentLrs();
        optimizer.setLearningRates(lrs);
        const clip = clipGradNorm(taken.grads, cfg.maxGradNorm);
        for (const g of taken.grads.values()) g.dispose();
        if (!Number.isFinite(clip.totalNorm)) {
          for (const g of clip.grads.values()) g.dispose();
          throw new NonFiniteLossError(state.global_step + 1, clip.totalNorm, state.best_model_checkpoint);
        }
        optimizer.step(clip.grads);
        for (const g of clip.grads.values()) g.dispose();
        schedule.advance();

        state.global_step += 1;
        state.epoch = epoch + (b + 1) / numBatches;
        trLossTotal += taken.loss;
        windowLoss += taken.loss;
        windowSteps += 1;
        hooks.onStep?.({ step: state.global_step, maxSteps: cfg.maxSteps, loss: taken.loss, lrs, gradNorm: clip.totalNorm, clipCoef: clip.clipCoef, epoch: state.epoch });

        if (cfg.loggingSteps > 0 && state.global_step % cfg.loggingSteps === 0) {
          const entry: LogEntry = {
            loss: pyRound(windowLoss / windowSteps, 4),
            grad_norm: clip.totalNorm,
            learning_rate: schedule.currentLrs()[0]!,
            epoch: pyRound(state.epoch, 2),
            step: state.global_step,
          };
          state.log_history.push(entry);
          hooks.onLog?.(entry);
          windowLoss = 0;
          windowSteps = 0;
        }
        let metrics: Record<string, number> | null = null;
        if (cfg.evalStrategy === "steps" && state.global_step % cfg.evalSteps === 0) metrics = await evaluateNow();
        const epochEnd = b === numBatches - 1;
        if (cfg.evalStrategy === "epoch" && epochEnd) metrics = await evaluateNow();
        if ((cfg.saveStrategy === "steps" && state.global_step % cfg.saveSteps === 0) || (cfg.saveStrategy === "epoch" && epochEnd)) {
          if (epochEnd) rng = { ...rng, epoch: epoch + 1, batchInEpoch: 0 };
          await saveNow(metrics);
        }
        if (state.global_step >= cfg.maxSteps) break;
      }
      if (rng.epoch === epoch && rng.batchInEpoch >= numBatches) rng = { ...rng, epoch: epoch + 1, batchInEpoch: 0 };
    }

    const runtime = now() - start;
    const stepsRun = state.global_step - startStep;
    const trainLoss = stepsRun > 0 ? trLossTotal / stepsRun : 0;
    state.total_flos += hooks.nonEmbeddingParams === undefined ? 0 : 6 * tokens * hooks.nonEmbeddingParams;
    const samples = stepsRun * cfg.trainBatchSize * cfg.gradientAccumulationSteps;
    const trainMetrics: Record<string, number> = {
      train_runtime: pyRound(runtime, 4),
      train_samples_per_second: pyRound(samples / runtime, 3),
      train_steps_per_second: pyRound(stepsRun / runtime, 3),
      total_flos: state.total_flos,
      train_loss: trainLoss,
      epoch: pyRound(state.epoch, 2),
    };
    const summary: LogEntry = { ...trainMetrics, step: state.global_step };
    state.log_history.push(summary);
    hooks.onLog?.(summary);

    if (cfg.loadBestModelAtEnd && state.best_model_checkpoint !== null) {
      say(`loading best model from ${state.best_model_checkpoint} (score: ${state.best_metric})`);
      await hooks.loadAdapter(state.best_model_checkpoint);
    }
    await saveTrainerState(join(cfg.outputDir, "trainer_state.json"), state);
    return {
      state,
      globalStep: state.global_step,
      trainLoss,
      trainRuntimeS: runtime,
      bestCheckpoint: state.best_model_checkpoint,
      trainMetrics,
      appliedWeightDecay: wd,
    };
  } finally {
    optimizer.dispose();
  }
}
