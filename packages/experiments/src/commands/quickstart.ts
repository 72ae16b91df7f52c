// `dept quickstart [--output_dir DIR] [--model_name_or_path X] [--backend B]`: the README's main command. Runs
// recipes/quickstart.json (DePT on the embedded Amazon sentiment data with the embedded tiny RANDOM T5, nothing
// to download) through the same path as `dept sweep` (one `dept train <config.json>` child process, resumable),
// then prints the `dept report` table and where the outputs went. The size overrides (--max_steps, --eval_steps,
// --max_*_samples) exist for smoke tests and a quicker look; without them the run is the recipe's.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { optNum, optStr } from "../args.ts";
import { InputError, type Command, type CommandIO } from "../command.ts";
import { EMBEDDED, EMBEDDED_PREFIX } from "../embedded.ts";
import { expandRecipe, validateRecipe, type PlannedRun } from "../recipes/recipe.ts";
import { releasedReference } from "../reference/released.ts";
import { buildReport } from "../report/render.ts";
import { readRunDir, RUN_CONFIG_FILE, type RunRecord } from "../report/run-dir.ts";
import { DONE_FILE, resolveTrainCommand, runSweep, SWEEP_LOG, TRAIN_LOG } from "../sweep/sweep.ts";
import type { TrainConfig } from "../train-flags.ts";

/** The recipe this command runs (validated like every recipe by `dept sweep --dry-run` and the tests). */
export const QUICKSTART_RECIPE = fileURLToPath(new URL("../../recipes/quickstart.json", import.meta.url));
export const QUICKSTART_OUTPUT_DIR = "runs/quickstart";
/** The one flag that turns the demo into a real run. */
export const REAL_MODEL_FLAG = "--model_name_or_path t5-base";
/** Sub-folder of the output dir that receives report.md, runs.csv, best.csv and curves/. */
export const REPORT_SUBDIR = "report";

/** The recipe's base with the command-line overrides applied (a smaller run for tests or a quick look). */
export function quickstartOverrides(base: TrainConfig, o: {
  model?: string;
  backend?: string;
  maxSteps?: number;
  evalSteps?: number;
  maxTrainSamples?: number;
  maxEvalSamples?: number;
  maxPredictSamples?: number;
}): TrainConfig {
  const out: TrainConfig = { ...base };
  if (o.model !== undefined) out.model_name_or_path = o.model;
  if (o.backend !== undefined) out.backend = o.backend;
  if (o.maxSteps !== undefined) {
    out.max_steps = o.maxSteps;
    // Keep the warmup the same fraction of the run, so a short run still reaches a useful learning rate.
    if (typeof base.warmup_steps === "number" && typeof base.max_steps === "number" && base.max_steps > 0) {
      out.warmup_steps = Math.floor((base.warmup_steps * o.maxSteps) / base.max_steps);
    }
  }
  if (o.evalSteps !== undefined) {
    // load_best_model_at_end needs saves on eval steps (HF), and a log line per eval is useful.
    out.eval_steps = o.evalSteps;
    out.save_steps = o.evalSteps;
    if (typeof base.logging_steps === "number") out.logging_steps = Math.min(base.logging_steps, o.evalSteps);
  }
  if (o.maxTrainSamples !== undefined) out.max_train_samples = o.maxTrainSamples;
  if (o.maxEvalSamples !== undefined) out.max_eval_samples = o.maxEvalSamples;
  if (o.maxPredictSamples !== undefined) out.max_predict_samples = o.maxPredictSamples;
  return out;
}

function positive(value: number | undefined, flag: string): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new InputError(`dept quickstart: --${flag} expects a positive whole number, got ${value}`);
  }
  return value;
}

/**
 * One plain line on what the run learned, from trainer_state.json's log_history: training loss first -> last
 * logged, validation loss and the selection metric first -> last evaluation. The tiny random model's labels
 * may never come out right (selection metric flat at 0) while its losses fall; this line shows both.
 */
export function learningSummary(record: RunRecord): string | null {
  const series = (key: string) => record.logHistory.filter((e) => typeof e[key] === "number" && typeof e.step === "number").map((e) => ({ step: e.step!, value: e[key]! }));
  const span = (name: string, key: string, digits: number) => {
    const points = series(key);
    const a = points[0];
    const b = points.at(-1);
    return a === undefined || b === undefined ? null : `${name} ${a.value.toFixed(digits)} (step ${a.step}) -> ${b.value.toFixed(digits)} (step ${b.step})`;
  };
  const parts = [span("training loss", "loss", 3), span("validation loss", "eval_loss", 3)];
  if (record.selectionMetric !== null) parts.push(span(`validation ${record.selectionMetric}`, `eval_${record.selectionMetric}`, 2));
  const present = parts.filter((p): p is string => p !== null);
  return present.length === 0 ? null : `What it learned: ${present.join("; ")}.`;
}

/** Flags whose value differs between the config a run dir was made with and the planned one. */
async function changedFlags(run: PlannedRun): Promise<string[] | null> {
  const path = join(run.outputDir, RUN_CONFIG_FILE);
  if (!existsSync(path)) return null;
  let previous: Record<string, unknown>;
  try {
    previous = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch {
    return [RUN_CONFIG_FILE];
  }
  const keys = new Set([...Object.keys(previous), ...Object.keys(run.config)]);
  keys.delete("resume_from_checkpoint");
  return [...keys].filter((k) => JSON.stringify(previous[k]) !== JSON.stringify(run.config[k])).sort();
}

function banner(io: CommandIO, config: TrainConfig, modelArg: string, embeddedModel: boolean): void {
  const rule = "=".repeat(100);
  io.stdout(rule);
  io.stdout("DePT quickstart: Decomposed Prompt Tuning (soft prompt P [m x d] + low-rank A [s x r] B [r x d] on the input embeddings)");
  io.stdout(
    `  task ${String(config.task_name)}: real, human-labelled Amazon review sentences (700 train / 150 validation / 150 test), ` +
      "no download (packages/datasets/data/amazon-sentiment)",
  );
  io.stdout(
    `  m=${String(config.prefix_length)} r=${String(config.r)} s=${String(config.max_seq_length)} lr=${String(config.learning_rate)} ` +
      `lora_lr=${String(config.lora_embedding_lr)} batch=${String(config.per_device_train_batch_size)} steps=${String(config.max_steps)}`,
  );
  if (embeddedModel) {
    const name = modelArg.slice(EMBEDDED_PREFIX.length);
    io.stdout(`  model ${modelArg}: ${EMBEDDED[name]?.describe ?? ""}`);
    io.stdout("");
    io.stdout("  NOTE: this model is TINY and RANDOM (never pretrained). It makes the whole pipeline run in minutes on a CPU;");
    io.stdout("  its accuracy is NOT a DePT result. The one flag that makes it real:");
    io.stdout("");
    io.stdout(`      pnpm dept quickstart ${REAL_MODEL_FLAG}`);
    io.stdout("");
    io.stdout("  (t5-base must be in the Hugging Face cache, or give a local model folder; on CPU expect hours, not minutes.)");
  } else {
    io.stdout(`  model ${modelArg} (given with --model_name_or_path)`);
  }
  io.stdout(rule);
}

export const quickstartCommand: Command = {
  name: "quickstart",
  summary: "train + evaluate DePT end to end on embedded data with a tiny random T5 (no download), print the report table",
  options: [
    { name: "output_dir", type: "string", default: QUICKSTART_OUTPUT_DIR, help: "where the run dir and the report go (rerunning with the same settings reuses a finished run)" },
    { name: "model_name_or_path", type: "string", help: `base model instead of the embedded tiny random one, e.g. t5-base (${REAL_MODEL_FLAG})` },
    { name: "backend", type: "string", help: "tfjs backend: wasm (default), cpu, tensorflow, webgpu" },
    { name: "max_steps", type: "number", help: "fewer training steps than the recipe (a quick look / smoke test)" },
    { name: "eval_steps", type: "number", help: "evaluate (and checkpoint) every N steps instead of the recipe's" },
    { name: "max_train_samples", type: "number", help: "use only the first N training examples" },
    { name: "max_eval_samples", type: "number", help: "use only the first N validation examples" },
    { name: "max_predict_samples", type: "number", help: "use only the first N test examples" },
  ],
  async run(options, io) {
    const started = Date.now();
    const recipeJson = JSON.parse(await readFile(QUICKSTART_RECIPE, "utf8")) as { base: TrainConfig; output_root: string } & Record<string, unknown>;
    const model = optStr(options, "model_name_or_path");
    recipeJson.base = quickstartOverrides(recipeJson.base, {
      model,
      backend: optStr(options, "backend"),
      maxSteps: positive(optNum(options, "max_steps"), "max_steps"),
      evalSteps: positive(optNum(options, "eval_steps"), "eval_steps"),
      maxTrainSamples: positive(optNum(options, "max_train_samples"), "max_train_samples"),
      maxEvalSamples: positive(optNum(options, "max_eval_samples"), "max_eval_samples"),
      maxPredictSamples: positive(optNum(options, "max_predict_samples"), "max_predict_samples"),
    });
    const cwd = process.cwd();
    const outputRoot = resolve(cwd, optStr(options, "output_dir") ?? QUICKSTART_OUTPUT_DIR);
    const recipe = validateRecipe(recipeJson, QUICKSTART_RECIPE, cwd);
    const runs = expandRecipe(recipe, { cwd, outputRoot });
    const run = runs[0];
    if (run === undefined || runs.length !== 1) throw new InputError(`${QUICKSTART_RECIPE}: expected exactly one run, got ${runs.length}`);

    const modelArg = String(recipe.base.model_name_or_path);
    banner(io, recipe.base, modelArg, modelArg.startsWith(EMBEDDED_PREFIX));

    // A run dir made with other settings (another model, other sizes) would be reused or resumed by the sweep
    // logic; refuse instead of printing numbers that do not belong to this command line.
    const changed = await changedFlags(run);
    if (changed !== null && changed.length > 0) {
      throw new InputError(
        `dept quickstart: ${run.outputDir} holds a run made with other settings (${changed.join(", ")}); ` +
          "pass another --output_dir or delete that folder",
      );
    }
    if (existsSync(join(run.outputDir, DONE_FILE))) {
      io.stdout(`${run.outputDir} already holds this finished run (${DONE_FILE}); reporting it (delete the folder to train again).`);
    }
    const [outcome] = await runSweep([run], { recipe: recipe.name, outputRoot, trainCommand: resolveTrainCommand(), cwd, io });
    if (outcome?.status === "failed") {
      io.stderr(`dept quickstart: the training run failed (${outcome.error ?? "?"}); its log: ${join(run.outputDir, TRAIN_LOG)}`);
      return 1;
    }

    const record = await readRunDir(run.outputDir, run.name);
    const reference = releasedReference();
    const report = buildReport([record], reference, { curves: true });
    const reportDir = join(outputRoot, REPORT_SUBDIR);
    const files = new Map([["report.md", `${report.markdown}\n`], ...report.files]);
    for (const [name, contents] of files) {
      const path = join(reportDir, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, contents);
    }

    io.stdout("");
    io.stdout(report.markdown);
    io.stdout("");
    const learned = learningSummary(record);
    if (learned !== null) io.stdout(learned);
    const task = String(recipe.base.task_name);
    io.stdout(
      record.task !== null && reference.tasks[record.task] !== undefined
        ? `Released DePT t5-base reference for ${record.task}: in the "released test" columns.`
        : `Released reference numbers: none for ${task} (the released DePT t5-base checkpoints cover ${Object.keys(reference.tasks).length} GLUE/SuperGLUE/MRQA/other tasks, not this data set).`,
    );
    if (modelArg.startsWith(EMBEDDED_PREFIX)) {
      io.stdout(
        `Reminder: a tiny RANDOM model (no pretraining) rarely emits the label strings "0"/"1", so its accuracy can stay at 0 ` +
          `while its losses fall; for a real run add ${REAL_MODEL_FLAG}.`,
      );
    }
    // Paths relative to where the command ran, unless that climbs out of it.
    const rel = (p: string) => {
      const r = relative(cwd, p);
      return r === "" ? "." : r.startsWith("..") ? p : r;
    };
    io.stdout("");
    io.stdout("Outputs:");
    io.stdout(`  run dir          ${rel(run.outputDir)}/  (adapter_config.json + adapter_model.safetensors = the final adapter,`);
    io.stdout("                   trainer_state.json, all_results.json, eval/test_predictions.txt, checkpoint-N/, train.log)");
    io.stdout(`  report           ${rel(join(reportDir, "report.md"))}, runs.csv, best.csv, curves/*.svg`);
    io.stdout(`  sweep log        ${rel(join(outputRoot, SWEEP_LOG))}`);
    io.stdout(`  again / more     pnpm dept report ${rel(outputRoot)}   |   pnpm dept sweep ${rel(QUICKSTART_RECIPE)} --dry-run`);
    io.stdout("  every command    pnpm dept --help");
    io.stdout(`dept quickstart: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  },
};
