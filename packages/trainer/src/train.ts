// `train(args)`: DePT train.py's main() on top of the pieces of this monorepo (spec §3-§5): load the frozen
// model + tokenizer, the task's splits (@dept/datasets), build the DePT / prompt-tuning adapter (@dept/peft),
// run the HF-style loop (loop.ts) with greedy-generation evaluation and the task's metrics (@dept/metrics), then
// write the final (best) adapter, trainer_state.json and {train,eval,test,all}_results.json into output_dir.
import * as tf from "@tensorflow/tfjs";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hubDownload, initBackend, torchRandperm } from "@dept/runtime";
import { disposeModel, loadModel, looksLikeHubId, resolveModelDir, Tokenizer, type LoadedModel } from "@dept/models";
import { collateDecoderOnly, collateSeq2Seq, loadTaskExamples, maxTargetLength, resolveTask, type Example, type TaskSpec } from "@dept/datasets";
import {
  accuracy,
  computeTaskMetrics,
  f1ScoreWithInvalid,
  isKnownTask,
  matthewsCorrcoef,
  pearsonCorrcoef,
  postprocessText,
  selectionMetric,
  spearmanCorrcoef,
} from "@dept/metrics";
import {
  getPeftModel,
  loadAdapter,
  loraConfig,
  promptTuningConfig,
  promptTuningLoRAConfig,
  readAdapterWeights,
  savePretrained,
  TUNERS,
  type PeftBatch,
  type PeftModel,
  type RawTensor,
} from "@dept/peft";
import type { TrainingArguments } from "./args.ts";
import { TrainerConfigError } from "./errors.ts";
import { saveMetrics } from "./io/results.ts";
import { pyRound } from "./io/trainer-state.ts";
import { runTrainingLoop, validateLoopConfig, type EvalOutcome, type LoopConfig, type LoopResult } from "./loop.ts";
import { TrainProgress } from "./progress.ts";

/** Where a run's plain progress goes (stderr in the CLI) and whether it is a terminal. */
export interface TrainIO {
  write: (text: string) => void;
  isTTY: boolean;
}

export interface TrainRunResult {
  outputDir: string;
  loop: LoopResult | null;
  results: { train?: Record<string, number>; eval?: Record<string, number>; test?: Record<string, number> };
}

/** JSON-lines log of a run inside output_dir. */
export const TRAIN_LOG_FILE = "train_log.jsonl";

/** Tokenizer files fetched next to a hub model (loadModel fetches config + weights only). */
const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

/** Model folder (local, HF cache or hub download via @dept/models) + its tokenizer. */
async function loadModelAndTokenizer(nameOrPath: string): Promise<{ model: LoadedModel; tokenizer: Tokenizer }> {
  const dir = await resolveModelDir(nameOrPath);
  const model = await loadModel(dir);
  if (!existsSync(join(dir, "tokenizer.json")) && !existsSync(nameOrPath) && looksLikeHubId(nameOrPath)) {
    for (const f of TOKENIZER_FILES) {
      try {
        await hubDownload(nameOrPath, "model", f);
      } catch (error) {
        if (f === "tokenizer.json") {
          disposeModel(model);
          throw new TrainerConfigError(`--model_name_or_path ${nameOrPath}: no tokenizer.json in ${dir} and the hub download failed (${(error as Error).message})`);
        }
      }
    }
  }
  return { model, tokenizer: await Tokenizer.fromDir(dir) };
}

function intTensor(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, [rows.length, rows[0]?.length ?? 0], "int32");
}

interface Collated {
  inputIds: number[][];
  attentionMask: number[][];
  labels: number[][];
}

function toPeftBatch(c: Collated): PeftBatch {
  return { inputIds: intTensor(c.inputIds), attentionMask: intTensor(c.attentionMask), labels: intTensor(c.labels) };
}

/**
 * New tokens allowed at evaluation. The reference's PEFTSeq2SeqTrainer passes generation_max_length to HF
 * `generate` as `max_length` (src/trainer.py prediction_step). For an encoder-decoder that length counts the
 * decoder start token, so T5 gets generation_max_length - 1 new tokens (19 for the default 20). For decoder-only
 * models train.py sets max_length = s + 20 over the s-token prompt, i.e. 20 new tokens: our flag counts them.
 */
export function evalMaxNewTokens(seq2seq: boolean, generationMaxLength: number): number {
  return seq2seq ? Math.max(1, generationMaxLength - 1) : generationMaxLength;
}

/**
 * One line of {eval,test}_predictions.txt. A decoder-only model (Llama) generates free text up to
 * generation_max_length tokens and often emits line breaks after the label, which would split one prediction
 * over several lines; so backslash, LF and CR are escaped (\\, \n, \r) and the file keeps one line per example.
 * Label predictions ("0", "entailment", "3.8") never contain these characters and are written unchanged.
 */
export function predictionLine(prediction: string): string {
  return prediction.replace(/[\\\n\r]/g, (ch) => (ch === "\\" ? "\\\\" : ch === "\n" ? "\\n" : "\\r"));
}

/** The loop's view of the arguments (HF TrainingArguments -> loop.ts). */
/**
 * Metrics a custom task (a task.json's `metrics`, @dept/datasets custom tasks such as the quickstart's
 * amazon-sentiment) may name: the label metrics of @dept/metrics, keyed by the names they return.
 */
const CUSTOM_TASK_METRICS: Readonly<Record<string, (p: string[], r: string[]) => Record<string, number>>> = {
  accuracy,
  f1: f1ScoreWithInvalid,
  matthews_correlation: matthewsCorrcoef,
  pearson: pearsonCorrcoef,
  spearmanr: spearmanCorrcoef,
};

/** The custom task behind --task_name (a task JSON path or a name declared by --data_dir's task.json), or null for a built-in task. */
function customTaskOf(args: TrainingArguments): TaskSpec | null {
  if (isKnownTask(args.task_name)) return null;
  const spec = resolveTask(args.task_name, args.data_dir ?? undefined);
  for (const m of spec.metrics ?? []) {
    if (!Object.hasOwn(CUSTOM_TASK_METRICS, m)) {
      throw new TrainerConfigError(`--task_name ${args.task_name}: metric '${m}' of the custom task is not one of ${Object.keys(CUSTOM_TASK_METRICS).join(", ")}`);
    }
  }
  return spec;
}

export function loopConfigFromArgs(args: TrainingArguments): LoopConfig {
  const task = args.task_name;
  // train.py overwrites metric_for_best_model with TASK_TO_METRICS[task][0] and greater_is_better = True; a custom
  // task's first declared metric plays that part; without one, the eval loss (lower is better).
  const customFirst = isKnownTask(task) ? undefined : customTaskOf(args)?.metrics?.[0];
  const byLoss = !isKnownTask(task) && customFirst === undefined;
  const metricForBest = args.metric_for_best_model ?? (isKnownTask(task) ? selectionMetric(task) : (customFirst ?? "loss"));
  const greaterIsBetter = args.metric_for_best_model === null && byLoss ? false : args.greater_is_better;
  return {
    outputDir: args.output_dir,
    seed: args.seed,
    maxSteps: args.max_steps,
    warmupSteps: args.warmup_steps,
    trainBatchSize: args.per_device_train_batch_size,
    gradientAccumulationSteps: args.gradient_accumulation_steps,
    maxGradNorm: args.max_grad_norm > 0 ? args.max_grad_norm : null,
    learningRate: args.learning_rate,
    loraEmbeddingLr: args.peft_type === "PROMPT_TUNING_LORA" ? args.lora_embedding_lr : null,
    weightDecay: args.weight_decay,
    applyWeightDecay: args.apply_weight_decay,
    optim: args.optim,
    loggingSteps: args.logging_steps,
    // HF: eval_steps defaults to logging_steps.
    evalStrategy: args.eval_strategy,
    evalSteps: args.eval_steps ?? args.logging_steps,
    saveStrategy: args.save_strategy,
    saveSteps: args.save_steps,
    saveTotalLimit: args.save_total_limit,
    loadBestModelAtEnd: args.load_best_model_at_end,
    metricForBestModel: metricForBest,
    greaterIsBetter,
    shuffle: args.shuffle_train,
    resumeFromCheckpoint: args.resume_from_checkpoint,
    trainingArgs: { ...args },
  };
}

export async function train(args: TrainingArguments, io: TrainIO): Promise<TrainRunResult> {
  // Check every setting before any loading so a bad combination fails fast (exit 2).
  const loopCfg = loopConfigFromArgs(args);
  if (args.do_train) validateLoopConfig(loopCfg);
  await mkdir(args.output_dir, { recursive: true });
  const progress = new TrainProgress({ write: io.write, isTTY: io.isTTY, logFile: join(args.output_dir, TRAIN_LOG_FILE) });
  const say = (line: string) => progress.onMessage(line);
  const owned: { dispose: () => void }[] = [];
  try {
    const backend = await initBackend(args.backend ?? undefined);
    say(`backend: ${backend.backend} (${backend.detail})`);
    const { model, tokenizer } = await loadModelAndTokenizer(args.model_name_or_path);
    owned.push({ dispose: () => disposeModel(model) });
    const seq2seq = model.kind === "t5";
    const task = args.task_name;
    const dataOpts = { dataDir: args.data_dir ?? undefined, seed: args.seed };
    const custom = customTaskOf(args);
    const targetLen = seq2seq ? maxTargetLength(custom ?? task, tokenizer) : 0;
    const collate = (examples: readonly Example[], trainMode: boolean): Collated =>
      seq2seq
        ? collateSeq2Seq(examples, tokenizer, { maxSeqLength: args.max_seq_length, maxTargetLength: targetLen })
        : collateDecoderOnly(examples, tokenizer, { maxSeqLength: args.max_seq_length, train: trainMode });

    // The adapter: transfer init from --peft_model_id, else a fresh one (train.py ~L540-590).
    let pm: PeftModel;
    if (args.peft_model_id !== null) {
      pm = await loadAdapter(model, args.peft_model_id, { seed: args.seed });
      if (pm.config.peftType !== args.peft_type) {
        throw new TrainerConfigError(`--peft_model_id ${args.peft_model_id} holds a ${pm.config.peftType} adapter, --peft_type is ${args.peft_type}`);
      }
      // spec §4: m, r and max_length come from the source adapter; A has max_length rows, so s must match.
      if (pm.config.peftType === "PROMPT_TUNING_LORA" && pm.config.maxLength !== args.max_seq_length) {
        throw new TrainerConfigError(
          `--peft_model_id ${args.peft_model_id} was trained with max_length ${pm.config.maxLength} (A has that many rows); pass --max_seq_length ${pm.config.maxLength}, got ${args.max_seq_length}`,
        );
      }
    } else {
      const common = {
        taskType: seq2seq ? ("SEQ_2_SEQ_LM" as const) : ("CAUSAL_LM" as const),
        numVirtualTokens: args.prefix_length,
        promptTuningInit: args.text_init ? ("TEXT" as const) : ("RANDOM" as const),
        promptTuningInitText: args.text_init ? args.prompt_tuning_init_text : null,
        tokenizerNameOrPath: args.model_name_or_path,
        baseModelNameOrPath: args.model_name_or_path,
      };
      const config =
        args.peft_type === "PROMPT_TUNING_LORA"
          ? promptTuningLoRAConfig({ ...common, r: args.r ?? 0, loraAlpha: args.lora_alpha, maxLength: args.max_seq_length })
          : args.peft_type === "PROMPT_TUNING"
            ? promptTuningConfig(common)
            : loraConfig({ taskType: common.taskType, r: args.r ?? 0, loraAlpha: args.lora_alpha, baseModelNameOrPath: args.model_name_or_path });
      pm = getPeftModel(model, config, { seed: args.seed, tokenizer });
    }
    owned.unshift(pm);
    const counts = pm.parameterCounts();
    say(`trainable params: ${counts.trainable} || all params: ${counts.all} || trainable%: ${((100 * counts.trainable) / counts.all).toFixed(4)}`);

    const evaluateSplit = async (examples: readonly Example[]): Promise<EvalOutcome & { predictions: string[] }> => {
      const start = performance.now();
      const preds: string[] = [];
      const refs: string[] = [];
      let lossSum = 0;
      let batches = 0;
      for (let i = 0; i < examples.length; i += args.per_device_eval_batch_size) {
        const chunk = examples.slice(i, i + args.per_device_eval_batch_size);
        const c = collate(chunk, false);
        const lossT = tf.tidy(() => pm.forward(toPeftBatch(c), { training: false }).loss!);
        // HF evaluation_loop: each batch's mean loss repeated batch_size times, then averaged.
        lossSum += lossT.dataSync()[0]! * chunk.length;
        lossT.dispose();
        const ids = intTensor(c.inputIds);
        const mask = intTensor(c.attentionMask);
        const generated = await pm.generate({ inputIds: ids, attentionMask: mask }, { maxNewTokens: evalMaxNewTokens(seq2seq, args.generation_max_length) });
        ids.dispose();
        mask.dispose();
        // src/postprocessors.py: batch_decode(skip_special_tokens=True) then Python str.strip(); labels decoded the
        // same way after -100 -> pad.
        for (const row of generated) preds.push(postprocessText(tokenizer.decode(row, { skipSpecialTokens: true })));
        for (const row of c.labels) refs.push(postprocessText(tokenizer.decode(row.map((t) => (t === -100 ? tokenizer.padTokenId : t)), { skipSpecialTokens: true })));
        batches += 1;
      }
      const metrics: Record<string, number> =
        custom === null
          ? computeTaskMetrics(task, preds, refs)
          : Object.assign({}, ...(custom.metrics ?? []).map((m) => CUSTOM_TASK_METRICS[m]!(preds, refs))) as Record<string, number>;
      metrics.loss = lossSum / Math.max(1, examples.length);
      return { metrics, samples: examples.length, batches, runtimeS: (performance.now() - start) / 1000, predictions: preds };
    };

    const needValidation = args.do_eval || (args.do_train && args.eval_strategy !== "no");
    const validation = needValidation ? await loadTaskExamples(task, "validation", { ...dataOpts, limit: args.max_eval_samples ?? undefined }) : [];
    const result: TrainRunResult = { outputDir: args.output_dir, loop: null, results: {} };

    if (args.do_train) {
      const trainExamples = await loadTaskExamples(task, "train", {
        ...dataOpts,
        limit: args.max_train_samples ?? undefined,
        kShot: args.k_shot_example ?? undefined,
      });
      say(`task ${task}: ${trainExamples.length} train / ${validation.length} validation examples`);
      const vocab = tokenizer.vocabSize;
      const loop = await runTrainingLoop(
        loopCfg,
        { trainable: pm.trainable, loss: (c: Collated, o) => pm.forward(toPeftBatch(c), { ...o, checkpoint: args.gradient_checkpointing }).loss! },
        { trainSize: trainExamples.length, trainBatch: (idx) => collate(idx.map((i) => trainExamples[i]!), true), tokenCount: (c) => c.inputIds.length * (c.inputIds[0]?.length ?? 0) },
        {
          // accelerate's SeedableRandomSampler (HF Trainer): epoch e uses torch.randperm with seed + e.
          order: (n, epoch) => torchRandperm(n, args.seed + epoch),
          saveAdapter: (dir) => savePretrained(pm, dir),
          // peft's own state loading, into the variables being trained (names, shapes, LoRA layouts checked there).
          loadAdapter: async (dir) => {
            const { file, tensors } = await readAdapterWeights(dir);
            const tuner = TUNERS[pm.config.peftType] as unknown as { loadState: (p: PeftModel, t: ReadonlyMap<string, RawTensor>, f: string, o: object) => void };
            tuner.loadState(pm, tensors, file, {});
          },
          evaluate: validation.length > 0 ? () => evaluateSplit(validation) : undefined,
          onStep: (s) => progress.onStep(s),
          onLog: (e) => progress.onLog(e),
          onMessage: say,
          // HF floating_point_ops: 6 * input tokens * non-embedding parameters.
          nonEmbeddingParams: counts.all - vocab * (model.kind === "t5" ? model.config.dModel : model.config.hiddenSize),
        },
      );
      result.loop = loop;
      await savePretrained(pm, args.output_dir);
      await writeFile(join(args.output_dir, "training_args.json"), `${JSON.stringify(args, null, 2)}\n`);
      const trainMetrics = { ...loop.trainMetrics, train_samples: trainExamples.length };
      delete (trainMetrics as Record<string, number>).total_flos;
      await saveMetrics(args.output_dir, "train", trainMetrics);
      result.results.train = trainMetrics;
    }

    const epoch = result.loop === null ? 0 : pyRound(result.loop.state.epoch, 2);
    const finalEval = async (split: "eval" | "test", examples: readonly Example[]): Promise<Record<string, number>> => {
      const out = await evaluateSplit(examples);
      const m: Record<string, number> = {};
      for (const [k, v] of Object.entries(out.metrics)) m[`${split}_${k}`] = v;
      m[`${split}_runtime`] = pyRound(out.runtimeS, 4);
      m[`${split}_samples_per_second`] = pyRound(out.samples / out.runtimeS, 3);
      m[`${split}_steps_per_second`] = pyRound(out.batches / out.runtimeS, 3);
      m.epoch = epoch;
      await saveMetrics(args.output_dir, split, m);
      await writeFile(join(args.output_dir, `${split === "eval" ? "eval" : "test"}_predictions.txt`), out.predictions.map((p) => `${predictionLine(p)}\n`).join(""));
      say(`${split}: ${Object.entries(m).map(([k, v]) => `${k} ${v}`).join(", ")}`);
      return m;
    };
    if (args.do_eval) result.results.eval = await finalEval("eval", validation);
    if (args.do_predict) {
      const test = await loadTaskExamples(task, "test", { ...dataOpts, limit: args.max_predict_samples ?? undefined });
      result.results.test = await finalEval("test", test);
    }
    return result;
  } finally {
    for (const o of owned) o.dispose();
    progress.close();
  }
}
