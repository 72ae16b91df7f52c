// Training arguments of `dept train`: the DePT train.py / HF TrainingArguments flags (same names and meanings;
// seed README command + spec §3/§4), as one table shared by the CLI and JSON-config input, plus validation.
// Defaults: HF TrainingArguments defaults unless DePT's train.py overrides them (cited per entry).
import { readFile } from "node:fs/promises";
import { BACKEND_NAMES } from "@dept/runtime";
import { TrainerConfigError } from "./errors.ts";
import { OPTIM_NAMES, type OptimName } from "./optim/adamw.ts";

export const PEFT_TYPES = ["PROMPT_TUNING_LORA", "PROMPT_TUNING", "LORA"] as const;
export type TrainPeftType = (typeof PEFT_TYPES)[number];
export const STRATEGIES = ["no", "steps", "epoch"] as const;
/** tfjs backends @dept/runtime initBackend knows. */
export const BACKENDS: readonly string[] = BACKEND_NAMES;

/** DePT train.py default soft-prompt init text (typo "postive" as in the code and every released adapter). */
export const DEFAULT_PROMPT_INIT_TEXT = "Classify this text is postive or not:";

export interface TrainingArguments {
  model_name_or_path: string;
  task_name: string;
  output_dir: string;
  dataset_config_name: string | null;
  data_dir: string | null;
  backend: string | null;
  peft_type: TrainPeftType;
  prefix_length: number;
  r: number | null;
  lora_alpha: number;
  learning_rate: number;
  lora_embedding_lr: number | null;
  weight_decay: number;
  apply_weight_decay: boolean;
  optim: OptimName;
  do_train: boolean;
  do_eval: boolean;
  do_predict: boolean;
  per_device_train_batch_size: number;
  per_device_eval_batch_size: number;
  gradient_accumulation_steps: number;
  max_seq_length: number;
  max_steps: number;
  warmup_steps: number;
  max_grad_norm: number;
  gradient_checkpointing: boolean;
  logging_steps: number;
  eval_strategy: (typeof STRATEGIES)[number];
  eval_steps: number | null;
  save_strategy: (typeof STRATEGIES)[number];
  save_steps: number;
  save_total_limit: number | null;
  load_best_model_at_end: boolean;
  metric_for_best_model: string | null;
  greater_is_better: boolean;
  seed: number;
  resume_from_checkpoint: string | null;
  k_shot_example: number | null;
  peft_model_id: string | null;
  text_init: boolean;
  prompt_tuning_init_text: string;
  generation_max_length: number;
  max_train_samples: number | null;
  max_eval_samples: number | null;
  max_predict_samples: number | null;
  shuffle_train: boolean;
}

export type ArgKind = "string" | "number" | "int" | "boolean";

export interface TrainArgSpec {
  readonly name: keyof TrainingArguments;
  readonly kind: ArgKind;
  readonly help: string;
  readonly default?: string | number | boolean | null;
  readonly required?: boolean;
  readonly choices?: readonly string[];
  readonly aliases?: readonly string[];
}

export const TRAIN_ARGS: readonly TrainArgSpec[] = [
  { name: "model_name_or_path", kind: "string", required: true, help: "model folder or HF hub id (t5-base, a Llama folder, ...)" },
  { name: "task_name", kind: "string", required: true, help: "task (rte, mrpc, cola, superglue-cb, nq, ...)" },
  { name: "output_dir", kind: "string", required: true, help: "where checkpoints, logs, the final adapter and *_results.json go" },
  { name: "dataset_config_name", kind: "string", default: null, help: "accepted for compatibility with the seed command (train.py ignores it for these tasks)" },
  { name: "data_dir", kind: "string", default: null, help: "local dataset folder (default: HF cache / hub)" },
  { name: "backend", kind: "string", default: null, choices: BACKENDS, help: "tfjs backend (default $DEPT_BACKEND or wasm)" },
  { name: "peft_type", kind: "string", default: "PROMPT_TUNING_LORA", choices: PEFT_TYPES, help: "DePT (PROMPT_TUNING_LORA), vanilla PROMPT_TUNING, or the LORA baseline (not in the reference train.py; peft defaults: q,v targets)" },
  { name: "prefix_length", kind: "int", default: 100, help: "soft prompt length m (train.py default 100)" },
  { name: "r", kind: "int", default: null, help: "rank: DePT A (s x r), B (r x d); LoRA update rank; required for PROMPT_TUNING_LORA and LORA" },
  { name: "lora_alpha", kind: "number", default: 8, help: "scaling = lora_alpha / sqrt(r) (train.py never changes the default 8)" },
  { name: "learning_rate", kind: "number", default: 0.3, help: "lr of the soft prompt P (group 0); every released run uses 0.3 or 0.4" },
  { name: "lora_embedding_lr", kind: "number", default: null, help: "lr of A and B (group 1); unset: A/B share --learning_rate" },
  { name: "weight_decay", kind: "number", default: 0, help: "accepted; the reference's hand-built optimizer ignores it (effective 0) unless --apply_weight_decay" },
  { name: "apply_weight_decay", kind: "boolean", default: false, help: "apply --weight_decay (NOT the reference behaviour)" },
  { name: "optim", kind: "string", default: "adamw_hf", choices: OPTIM_NAMES, help: "adamw_hf = legacy transformers.AdamW (reference); adamw_torch = torch.optim.AdamW" },
  { name: "do_train", kind: "boolean", default: false, help: "train" },
  { name: "do_eval", kind: "boolean", default: false, help: "evaluate (the best adapter) on the validation split after training" },
  { name: "do_predict", kind: "boolean", default: false, help: "evaluate (the best adapter) on the test split" },
  { name: "per_device_train_batch_size", kind: "int", default: 8, help: "train batch size (DePT runs: 32)" },
  { name: "per_device_eval_batch_size", kind: "int", default: 8, help: "eval batch size (DePT runs: 32)" },
  { name: "gradient_accumulation_steps", kind: "int", default: 1, help: "micro-batches per optimizer step (loss / accum, grads summed)" },
  { name: "max_seq_length", kind: "int", default: 256, help: "s: inputs padded/truncated to exactly this length (A has s rows)" },
  { name: "max_steps", kind: "int", required: true, help: "optimizer steps (the schedule decays to 0 here)" },
  { name: "warmup_steps", kind: "int", default: 0, help: "linear warmup steps (DePT runs: 500)" },
  { name: "max_grad_norm", kind: "number", default: 1, help: "global L2 gradient clipping (0: off)" },
  { name: "gradient_checkpointing", kind: "boolean", default: false, help: "recompute each transformer block in the backward (less memory, ~1/3 more compute; HF TrainingArguments)" },
  { name: "logging_steps", kind: "int", default: 500, help: "log loss / lr / grad norm every N steps" },
  { name: "eval_strategy", kind: "string", default: "no", choices: STRATEGIES, aliases: ["evaluation_strategy"], help: "when to evaluate during training" },
  { name: "eval_steps", kind: "int", default: null, help: "evaluate every N steps (default: --logging_steps, as HF)" },
  { name: "save_strategy", kind: "string", default: "steps", choices: STRATEGIES, help: "when to write checkpoint-<step>/" },
  { name: "save_steps", kind: "int", default: 500, help: "checkpoint every N steps" },
  { name: "save_total_limit", kind: "int", default: null, help: "keep at most N checkpoints (plus the best, HF semantics)" },
  { name: "load_best_model_at_end", kind: "boolean", default: false, help: "reload the best checkpoint's adapter after training" },
  { name: "metric_for_best_model", kind: "string", default: null, help: "default: the task's first metric (train.py overrides it so)" },
  { name: "greater_is_better", kind: "boolean", default: true, help: "train.py sets True" },
  { name: "seed", kind: "int", default: 42, help: "seed for initialisation, data order and dropout" },
  { name: "resume_from_checkpoint", kind: "string", default: null, help: "a checkpoint-<step>/ folder to continue from" },
  { name: "k_shot_example", kind: "int", default: null, aliases: ["k_shot_examples"], help: "few-shot: N training examples (spec §4)" },
  { name: "peft_model_id", kind: "string", default: null, help: "initialise P, A, B from this adapter folder (transfer)" },
  { name: "text_init", kind: "boolean", default: true, help: "init P from the embedding of --prompt_tuning_init_text (train.py default)" },
  { name: "prompt_tuning_init_text", kind: "string", default: DEFAULT_PROMPT_INIT_TEXT, help: "text whose token embeddings initialise P" },
  { name: "generation_max_length", kind: "int", default: 20, help: "HF generate max_length at evaluation: T5 counts the decoder start (19 new tokens for 20); decoder-only: new tokens after the prompt" },
  { name: "max_train_samples", kind: "int", default: null, help: "use only the first N training examples" },
  { name: "max_eval_samples", kind: "int", default: null, help: "use only the first N validation examples" },
  { name: "max_predict_samples", kind: "int", default: null, help: "use only the first N test examples" },
  { name: "shuffle_train", kind: "boolean", default: true, help: "false: training examples in file order every epoch (trajectory checks)" },
];

const BY_NAME = new Map<string, TrainArgSpec>();
for (const s of TRAIN_ARGS) {
  BY_NAME.set(s.name, s);
  for (const a of s.aliases ?? []) BY_NAME.set(a, s);
}

/**
 * Builds validated TrainingArguments from raw values (CLI-parsed or a JSON config). `source` names the origin
 * in errors ("--flag" style for the CLI, the file for JSON). Unknown keys and bad values throw TrainerConfigError.
 */
export function resolveTrainingArguments(raw: Record<string, unknown>, source = "arguments"): TrainingArguments {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const spec = BY_NAME.get(key);
    if (spec === undefined) throw new TrainerConfigError(`${source}: unknown option '${key}'`);
    out[spec.name] = checkValue(spec, value, source, key);
  }
  for (const spec of TRAIN_ARGS) {
    if (out[spec.name] !== undefined) continue;
    if (spec.required === true) throw new TrainerConfigError(`${source}: missing required option --${spec.name}`);
    out[spec.name] = spec.default ?? null;
  }
  const a = out as unknown as TrainingArguments;
  const positive = (v: number | null, n: string) => {
    if (v !== null && v <= 0) throw new TrainerConfigError(`${source}: --${n} must be > 0, got ${v}`);
  };
  positive(a.max_steps, "max_steps");
  positive(a.prefix_length, "prefix_length");
  positive(a.per_device_train_batch_size, "per_device_train_batch_size");
  positive(a.per_device_eval_batch_size, "per_device_eval_batch_size");
  positive(a.gradient_accumulation_steps, "gradient_accumulation_steps");
  positive(a.max_seq_length, "max_seq_length");
  positive(a.generation_max_length, "generation_max_length");
  positive(a.k_shot_example, "k_shot_example");
  positive(a.max_train_samples, "max_train_samples");
  positive(a.max_eval_samples, "max_eval_samples");
  positive(a.max_predict_samples, "max_predict_samples");
  positive(a.eval_steps, "eval_steps");
  positive(a.save_steps, "save_steps");
  for (const n of ["learning_rate", "weight_decay", "warmup_steps", "logging_steps", "max_grad_norm", "lora_alpha"] as const) {
    if (a[n] < 0) throw new TrainerConfigError(`${source}: --${n} must be >= 0, got ${a[n]}`);
  }
  if (a.lora_embedding_lr !== null && a.lora_embedding_lr < 0) throw new TrainerConfigError(`${source}: --lora_embedding_lr must be >= 0, got ${a.lora_embedding_lr}`);
  if (a.save_total_limit !== null && a.save_total_limit < 0) throw new TrainerConfigError(`${source}: --save_total_limit must be >= 0, got ${a.save_total_limit}`);
  if ((a.peft_type === "PROMPT_TUNING_LORA" || a.peft_type === "LORA") && (a.r === null || a.r <= 0)) {
    throw new TrainerConfigError(`${source}: --r (a positive integer) is required for --peft_type ${a.peft_type}`);
  }
  if (!a.do_train && !a.do_eval && !a.do_predict) {
    throw new TrainerConfigError(`${source}: nothing to do: pass --do_train, --do_eval and/or --do_predict`);
  }
  return a;
}

function checkValue(spec: TrainArgSpec, value: unknown, source: string, key: string): unknown {
  if (value === null) {
    if (spec.default === null) return null;
    throw new TrainerConfigError(`${source}: --${key} cannot be null`);
  }
  switch (spec.kind) {
    case "boolean":
      if (typeof value !== "boolean") throw new TrainerConfigError(`${source}: --${key} expects true or false, got ${JSON.stringify(value)}`);
      return value;
    case "number":
    case "int":
      if (typeof value !== "number" || !Number.isFinite(value)) throw new TrainerConfigError(`${source}: --${key} expects a number, got ${JSON.stringify(value)}`);
      if (spec.kind === "int" && !Number.isInteger(value)) throw new TrainerConfigError(`${source}: --${key} expects an integer, got ${value}`);
      return value;
    case "string":
      if (typeof value !== "string") throw new TrainerConfigError(`${source}: --${key} expects a string, got ${JSON.stringify(value)}`);
      if (spec.choices !== undefined && !spec.choices.includes(value)) {
        throw new TrainerConfigError(`${source}: --${key} must be one of ${spec.choices.join(", ")}, got '${value}'`);
      }
      return value;
  }
}

/** Reads a JSON file holding the whole configuration (HF `python train.py config.json` style). */
export async function readTrainingArgumentsFile(path: string): Promise<TrainingArguments> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TrainerConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TrainerConfigError(`config file ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new TrainerConfigError(`config file ${path} must hold one JSON object of options`);
  return resolveTrainingArguments(raw as Record<string, unknown>, path);
}
