// Reads one HF-style run dir (what `dept train` and the reference train.py write: trainer_state.json with
// log_history, all_results.json, eval_results.json, test_results.json, adapter_config.json) and the sweep's
// dept-run-config.json into one record for `dept report`. Run metadata (task, m, r, LRs) is taken from the
// sweep config when present, else from adapter_config.json, else from the reference's run-dir naming
// (`<task>_lr<lr>_loralr<lora_lr>_pl<m>_r<r>_st<steps>[_ml<s>]`, seed README / checkpoints/*/trainer_state.json).
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { InputError } from "../command.ts";
import { trainFlag } from "../train-flags.ts";
import { customSelectionMetric, selectionMetric } from "./selection.ts";

/** File the sweep writes into each run dir: the full train config of that run. */
export const RUN_CONFIG_FILE = "dept-run-config.json";
/** What `dept train` writes into each checkpoint (the trainer package's TRAINING_ARGS_FILE). */
export const TRAINING_ARGS_FILE = "training_args.json";
const RUN_FILES = ["all_results.json", "test_results.json", "trainer_state.json"];

export type LogEntry = Readonly<Record<string, number>>;

export interface RunRecord {
  readonly dir: string;
  /** Shown in tables: root name + path below it. */
  readonly label: string;
  readonly task: string | null;
  readonly peftType: string | null;
  readonly m: number | null;
  readonly r: number | null;
  readonly s: number | null;
  readonly lr: number | null;
  readonly loraLr: number | null;
  readonly maxSteps: number | null;
  readonly globalStep: number | null;
  readonly bestStep: number | null;
  readonly selectionMetric: string | null;
  /** Validation value of the selection metric at the best step. */
  readonly evalSelection: number | null;
  /** test_* metrics without prefix (loss, runtime and throughput left out). */
  readonly test: Readonly<Record<string, number>>;
  readonly eval: Readonly<Record<string, number>>;
  readonly logHistory: readonly LogEntry[];
  /** Files the record was built from. */
  readonly sources: readonly string[];
}

export interface ReadmeRunName {
  task: string;
  lr: number;
  loraLr: number;
  m: number;
  r: number;
  steps: number;
  s: number | null;
}

const README_RUN_NAME = /^(.+?)_lr([0-9.e+-]+)_loralr([0-9.e+-]+)_pl(\d+)_r(\d+)_st(\d+)(?:_ml(\d+))?$/;

/** Parses the reference's output dir name, e.g. `cola_lr3e-1_loralr5e-4_pl80_r15_st40000`. */
export function parseReadmeRunName(name: string): ReadmeRunName | null {
  const m = README_RUN_NAME.exec(name);
  if (m === null) return null;
  const lr = Number(m[2]);
  const loraLr = Number(m[3]);
  if (!Number.isFinite(lr) || !Number.isFinite(loraLr)) return null;
  return { task: m[1]!, lr, loraLr, m: Number(m[4]), r: Number(m[5]), steps: Number(m[6]), s: m[7] === undefined ? null : Number(m[7]) };
}

/** JSON.parse for files written by Python's json.dump, which writes bare NaN / Infinity (read as null). */
export function parseHfJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/(:\s*|\[\s*|,\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, "$1null"));
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

async function readJsonObject(file: string): Promise<Record<string, unknown> | null> {
  if (!existsSync(file)) return null;
  const json = parseHfJson(await readFile(file, "utf8"), file);
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new InputError(`${file}: expected a JSON object`);
  return json as Record<string, unknown>;
}

const NOT_METRICS = /^(loss|runtime|samples_per_second|steps_per_second|epoch|samples)$/;

/** `{prefix}name: number` entries as {name: number}, without loss/runtime/throughput. */
export function metricsWithPrefix(obj: Record<string, unknown> | null, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(obj ?? {})) {
    if (!key.startsWith(prefix) || typeof value !== "number") continue;
    const name = key.slice(prefix.length);
    if (!NOT_METRICS.test(name)) out[name] = value;
  }
  return out;
}

/** What dept train uses when a config leaves the flag out. */
function flagDefault(name: string): unknown {
  return trainFlag(name)?.default ?? null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
function first<T>(...values: (T | null | undefined)[]): T | null {
  for (const v of values) if (v !== null && v !== undefined) return v;
  return null;
}

/** checkpoint-N subdirs of a run dir, newest (highest N) first, as names relative to the run dir. */
export function checkpointDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^checkpoint-\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => Number(b.slice(11)) - Number(a.slice(11)));
}

/** A directory holding all_results.json, test_results.json or trainer_state.json. */
export function isRunDir(dir: string): boolean {
  return RUN_FILES.some((f) => existsSync(join(dir, f)));
}

/** Run dirs under each root (a root may itself be one); checkpoint-N dirs are not runs. Sorted by label. */
export function findRunDirs(roots: readonly string[]): { dir: string; label: string }[] {
  const out: { dir: string; label: string }[] = [];
  for (const root of roots) {
    if (!existsSync(root)) throw new InputError(`dept report: no such directory: ${root}`);
    const rootName = basename(root) || root;
    const walk = (dir: string, depth: number): void => {
      if (isRunDir(dir)) {
        const rel = relative(root, dir);
        out.push({ dir, label: rel === "" ? rootName : `${rootName}/${rel.split("\\").join("/")}` });
        return;
      }
      if (depth >= 8) return;
      for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (!entry.isDirectory() || /^(checkpoint-\d+|node_modules|\..*)$/.test(entry.name)) continue;
        walk(join(dir, entry.name), depth + 1);
      }
    };
    walk(root, 0);
  }
  return out.sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * Best step and its value from log_history: the FIRST step with the highest eval_<metric>, as HF's Trainer
 * keeps the earlier checkpoint on ties (it replaces the best only when strictly greater).
 */
export function bestFromHistory(history: readonly LogEntry[], metric: string): { step: number; value: number } | null {
  let best: { step: number; value: number } | null = null;
  for (const entry of history) {
    const value = entry[`eval_${metric}`];
    const step = entry.step;
    if (value === undefined || step === undefined || !Number.isFinite(value)) continue;
    if (best === null || value > best.value) best = { step, value };
  }
  return best;
}

function readHistory(state: Record<string, unknown> | null, file: string): LogEntry[] {
  const raw = state?.log_history;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new InputError(`${file}: log_history must be an array`);
  return raw.map((entry: unknown, i) => {
    if (entry === null || typeof entry !== "object") throw new InputError(`${file}: log_history[${i}] must be an object`);
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(entry as Record<string, unknown>)) if (typeof v === "number") out[k] = v;
    return out;
  });
}

export async function readRunDir(dir: string, label: string = basename(dir)): Promise<RunRecord> {
  const sources: string[] = [];
  const load = async (name: string) => {
    const json = await readJsonObject(join(dir, name));
    if (json !== null) sources.push(name);
    return json;
  };
  // The run's full config: the sweep's copy, else the trainer's training_args.json (top level, or in the
  // newest checkpoint: `dept train` writes one into every checkpoint-N/, as HF does training_args.bin).
  let config = await load(RUN_CONFIG_FILE);
  config ??= await load(TRAINING_ARGS_FILE);
  if (config === null) {
    const newest = checkpointDirs(dir)[0];
    if (newest !== undefined) config = await load(join(newest, TRAINING_ARGS_FILE));
  }
  const adapter = await load("adapter_config.json");
  const state = await load("trainer_state.json");
  const all = await load("all_results.json");
  const evalResults = await load("eval_results.json");
  const testResults = await load("test_results.json");

  const bestCheckpoint = text(state?.best_model_checkpoint);
  const fromState = bestCheckpoint === null ? null : parseReadmeRunName(basename(bestCheckpoint.replace(/\/checkpoint-\d+\/?$/, "")));
  const fromDir = parseReadmeRunName(basename(dir));
  const named = fromState ?? fromDir;

  const task = first(text(config?.task_name), config === null ? named?.task : null, selectionMetric(basename(dir)) !== undefined ? basename(dir) : null);
  const metric = task === null ? null : (selectionMetric(task) ?? customSelectionMetric(task, text(config?.data_dir)) ?? null);
  const history = readHistory(state, join(dir, "trainer_state.json"));
  const fromHistory = metric === null ? null : bestFromHistory(history, metric);
  const checkpointStep = bestCheckpoint === null ? null : /checkpoint-(\d+)\/?$/.exec(bestCheckpoint)?.[1];

  const evalMetrics = metricsWithPrefix(evalResults ?? all, "eval_");
  const testMetrics = metricsWithPrefix(testResults ?? all, "test_");
  // The sweep's config is the whole truth about a run's hyperparameters (a PT run has no r even if some
  // other file would suggest one); without it, adapter_config.json and the run-dir naming fill in.
  const configPeftType = config === null ? null : first(text(config.peft_type), text(flagDefault("peft_type")));
  const hp =
    config !== null
      ? { peftType: configPeftType, m: first(num(config.prefix_length), configPeftType === "LORA" ? null : num(flagDefault("prefix_length"))), r: num(config.r), s: num(config.max_seq_length), lr: num(config.learning_rate), loraLr: num(config.lora_embedding_lr), maxSteps: num(config.max_steps) }
      : {
          peftType: first(text(adapter?.peft_type), named === null ? null : "PROMPT_TUNING_LORA"),
          m: first(num(adapter?.num_virtual_tokens), named?.m),
          r: first(num(adapter?.r), named?.r),
          s: first(num(adapter?.max_length), named?.s),
          lr: named?.lr ?? null,
          loraLr: named?.loraLr ?? null,
          maxSteps: first(num(state?.max_steps), named?.steps),
        };
  return {
    dir,
    label,
    task,
    ...hp,
    maxSteps: first(hp.maxSteps, num(state?.max_steps)),
    globalStep: num(state?.global_step),
    bestStep: first(checkpointStep === undefined || checkpointStep === null ? null : Number(checkpointStep), fromHistory?.step),
    selectionMetric: metric,
    evalSelection: first(num(state?.best_metric), metric === null ? null : evalMetrics[metric], fromHistory?.value),
    test: testMetrics,
    eval: evalMetrics,
    logHistory: history,
    sources,
  };
}
