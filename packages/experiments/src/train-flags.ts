// The flags of `dept train`, in one place: name, type, default and help, with where each comes from.
// Shared by the recipe validator (`dept sweep`) and the train command (by the trainer package's command),
// so a recipe can only name flags the trainer understands. Flag names and defaults follow the DePT reference
// train.py (HF argparse dataclasses) as described in the seed README and ../shared/spec/dept-reference.md;
// HF TrainingArguments defaults are those of transformers 4.28-4.33, the era the reference code targets
// (spec "Key files"). A JSON config file (HF `parse_json_file` style) holds the same names as keys.
// Kept in step with @dept/trainer's TRAIN_ARGS (test/train-command.test.ts checks it): same names,
// aliases, required flags and defaults, so a recipe that validates here is accepted by `dept train`.
import type { OptionSpec } from "./args.ts";

export type TrainFlagValue = string | number | boolean;
export type TrainConfig = Record<string, TrainFlagValue>;

export interface TrainFlagSpec extends OptionSpec {
  readonly type: "string" | "number" | "boolean";
  readonly default?: TrainFlagValue;
  /** Whole numbers only (steps, sizes, lengths, seeds). */
  readonly integer?: boolean;
  readonly choices?: readonly string[];
  /** Where the flag, its default and its meaning come from. */
  readonly source: string;
}

const README = "seed README (run script)";
const SPEC = (section: string) => `spec ${section}`;
const HF = "HF TrainingArguments";
const PORT = "TS port extension";

/** Every flag `dept train` accepts (canonical names; `aliases` are other accepted spellings). */
export const TRAIN_FLAGS: readonly TrainFlagSpec[] = [
  // --- model and PEFT method (DePT train.py ModelArguments / PEFT arguments)
  { name: "model_name_or_path", type: "string", required: true, help: "base model: local dir or HF hub id (t5-base; a Llama-2 dir for the Llama setting)", source: README },
  {
    name: "peft_type",
    type: "string",
    choices: ["PROMPT_TUNING_LORA", "PROMPT_TUNING", "LORA"],
    default: "PROMPT_TUNING_LORA",
    help: "PROMPT_TUNING_LORA = DePT; PROMPT_TUNING = vanilla prompt tuning; LORA = LoRA baseline (peft defaults, q,v targets; the reference train.py accepts only the first two)",
    source: `${README}; ${SPEC("§2")}; LORA is a ${PORT}`,
  },
  { name: "prefix_length", type: "number", integer: true, default: 100, help: "m: number of soft prompt tokens", source: `${README}; default ${SPEC("§2")}` },
  { name: "r", type: "number", integer: true, help: "rank r of the low-rank pair A [s x r], B [r x d] (DePT) or of the LoRA update", source: `${README}; ${SPEC("§1")}` },
  { name: "lora_alpha", type: "number", default: 8, help: "scaling numerator: DePT scales A@B by lora_alpha/sqrt(r)", source: SPEC("§1") },
  {
    name: "lora_embedding_lr",
    type: "number",
    help: "learning rate of A and B (second AdamW group); unset = one group at --learning_rate",
    source: `${README}; ${SPEC("§3")}`,
  },
  { name: "text_init", type: "boolean", default: true, help: "initialise the soft prompt from the vocab embeddings of --prompt_tuning_init_text", source: SPEC("§1") },
  {
    name: "prompt_tuning_init_text",
    type: "string",
    default: "Classify this text is postive or not:",
    help: "prompt init text (the typo 'postive' is in the reference code and every released adapter_config.json)",
    source: SPEC("§1"),
  },
  {
    name: "peft_model_id",
    type: "string",
    help: "adapter dir to initialise P, A and B from (transfer init for few-shot); m, r, max_length come from its adapter_config.json",
    source: `${README}; ${SPEC("§4")}`,
  },
  // --- data (DataTrainingArguments)
  { name: "task_name", type: "string", required: true, help: "task, e.g. cola, superglue-boolq, nq, winogrande (see README_TASKS)", source: README },
  { name: "dataset_config_name", type: "string", help: "passed by the README script ('en'); not used by the DePT tasks", source: README },
  { name: "data_dir", type: "string", help: "local dataset dir (else the HF cache / hub)", source: PORT },
  { name: "max_seq_length", type: "number", integer: true, default: 256, help: "s: inputs are padded/truncated to exactly this many tokens (A has s rows)", source: `${README}; ${SPEC("§1")}; default as the trainer` },
  {
    name: "k_shot_example",
    type: "number",
    integer: true,
    aliases: ["k_shot_examples"],
    help: "few-shot: keep N training examples (N // classes per class, shuffled with --seed)",
    source: `${SPEC("§4")} (README spells it --k_shot_examples)`,
  },
  // --- generation during eval (DynamicTrainingArguments)
  { name: "generation_max_length", type: "number", integer: true, default: 20, help: "HF generate max_length during eval/predict (T5: includes the decoder start token, so 20 -> 19 new tokens; decoder-only: new tokens after the prompt)", source: SPEC("§5") },
  // --- training loop (HF TrainingArguments)
  { name: "output_dir", type: "string", required: true, help: "run dir: checkpoints, trainer_state.json, *_results.json", source: `${README}; ${HF}` },
  { name: "resume_from_checkpoint", type: "string", help: "checkpoint-N dir to resume from (dept sweep sets it for interrupted runs)", source: HF },
  { name: "do_train", type: "boolean", default: false, help: "train", source: README },
  { name: "do_eval", type: "boolean", default: false, help: "evaluate on the validation split", source: README },
  { name: "do_predict", type: "boolean", default: false, help: "evaluate on the test split", source: README },
  { name: "per_device_train_batch_size", type: "number", integer: true, default: 8, help: "training batch size (README: 32; MRQA 16)", source: `${README}; ${HF}` },
  { name: "per_device_eval_batch_size", type: "number", integer: true, default: 8, help: "eval batch size (README: 32; MRQA 16)", source: `${README}; ${HF}` },
  { name: "gradient_accumulation_steps", type: "number", integer: true, default: 1, help: "batches per optimizer step (MRQA runs: 2)", source: `${SPEC("§3")}; ${HF}` },
  {
    name: "learning_rate",
    type: "number",
    default: 0.3,
    help: "learning rate of the soft prompt (first AdamW group); every released run uses 0.3 or 0.4",
    source: `${README}; ${SPEC("§3")}; default as the trainer (HF's is 5e-5)`,
  },
  {
    name: "weight_decay",
    type: "number",
    default: 0,
    help: "README passes 1e-5 but the reference builds its own AdamW, so it is ignored there (effective 0) unless --apply_weight_decay",
    source: `${README}; ${SPEC("§3")}`,
  },
  { name: "apply_weight_decay", type: "boolean", default: false, help: "really apply --weight_decay (NOT the reference behaviour)", source: PORT },
  {
    name: "optim",
    type: "string",
    default: "adamw_hf",
    choices: ["adamw_hf", "adamw_torch"],
    help: "adamw_hf = legacy transformers.AdamW with two param groups (the reference, eps 1e-6); adamw_torch = torch.optim.AdamW",
    source: `${HF}; ${SPEC("§3")}`,
  },
  { name: "max_grad_norm", type: "number", default: 1, help: "gradient clipping norm", source: `${HF}; ${SPEC("§3")}` },
  { name: "gradient_checkpointing", type: "boolean", default: false, help: "recompute each transformer block in the backward (less memory, more compute)", source: HF },
  { name: "max_steps", type: "number", integer: true, required: true, help: "total optimizer steps (the linear schedule decays to 0 here)", source: `${README}; ${SPEC("§3")}` },
  { name: "warmup_steps", type: "number", integer: true, default: 0, help: "linear warmup steps (README: 500)", source: `${README}; ${HF}` },
  { name: "logging_steps", type: "number", integer: true, default: 500, help: "log the training loss every N steps", source: `${HF}; ${SPEC("§3")}` },
  {
    name: "evaluation_strategy",
    type: "string",
    choices: ["no", "steps", "epoch"],
    default: "no",
    aliases: ["eval_strategy"],
    help: "when to evaluate on the validation split",
    source: `${README}; ${HF}`,
  },
  { name: "eval_steps", type: "number", integer: true, help: "evaluate every N steps (README: 1000; HF falls back to --logging_steps)", source: `${README}; ${HF}` },
  { name: "save_strategy", type: "string", choices: ["no", "steps", "epoch"], default: "steps", help: "when to save checkpoints", source: `${README}; ${HF}` },
  { name: "save_steps", type: "number", integer: true, default: 500, help: "save a checkpoint every N steps (README: 1000)", source: `${README}; ${HF}` },
  { name: "save_total_limit", type: "number", integer: true, help: "keep at most N checkpoints (the best is always kept)", source: `${README}; ${HF}` },
  { name: "load_best_model_at_end", type: "boolean", default: false, help: "reload the best checkpoint (by the task's first metric) before the final eval/predict", source: `${README}; ${SPEC("§3")}` },
  {
    name: "metric_for_best_model",
    type: "string",
    help: "default: the task's first metric (the reference overwrites it so, spec §3)",
    source: `${HF}; ${SPEC("§3")}`,
  },
  { name: "greater_is_better", type: "boolean", default: true, help: "the reference sets True", source: `${HF}; ${SPEC("§3")}` },
  { name: "seed", type: "number", integer: true, default: 42, help: "seed for init, dropout, shuffling and k-shot sampling (data splits always use 42)", source: `${HF}; ${SPEC("§3")}` },
  { name: "backend", type: "string", choices: ["tensorflow", "webgpu", "wasm", "cpu"], help: "tfjs backend (default: $DEPT_BACKEND, else wasm)", source: PORT },
  // --- small runs and trajectory checks
  { name: "max_train_samples", type: "number", integer: true, help: "use only the first N training examples", source: `HF run scripts; ${PORT}` },
  { name: "max_eval_samples", type: "number", integer: true, help: "use only the first N validation examples", source: `HF run scripts; ${PORT}` },
  { name: "max_predict_samples", type: "number", integer: true, help: "use only the first N test examples", source: `HF run scripts; ${PORT}` },
  { name: "shuffle_train", type: "boolean", default: true, help: "false: training examples in file order every epoch (trajectory checks)", source: PORT },
];

/** Tasks named in the seed README run section (GLUE, SuperGLUE, MRQA, WinoGrande, Yelp-2, SciTail, PAWS). */
export const README_TASKS: readonly string[] = [
  "cola", "mrpc", "mnli", "qnli", "qqp", "rte", "sst2", "stsb",
  "superglue-multirc", "superglue-wic", "superglue-wsc.fixed", "superglue-cb", "superglue-boolq",
  "newsqa", "searchqa", "hotpotqa", "nq",
  "winogrande", "yelp_polarity", "scitail", "paws",
];

/** Positional config-file argument of `dept train` (HF style: one .json argument holds the whole config). */
export const TRAIN_CONFIG_ARGUMENT: OptionSpec = {
  name: "config",
  type: "string",
  positional: true,
  help: "JSON file holding the whole config: {flag name: value} with the names of the flags below",
};

const BY_NAME: ReadonlyMap<string, TrainFlagSpec> = new Map(
  TRAIN_FLAGS.flatMap((spec) => [[spec.name, spec] as const, ...(spec.aliases ?? []).map((a) => [a, spec] as const)]),
);

/** Looks a flag up by its canonical name or an alias. */
export function trainFlag(name: string): TrainFlagSpec | undefined {
  return BY_NAME.get(name);
}

/** A train config that names an unknown flag or holds a value of the wrong type. */
export class TrainConfigError extends Error {
  override readonly name = "TrainConfigError";
  readonly exitCode = 2;
}

/** Checks one value against its flag: type, whole number, choices. Returns a problem or null. */
export function checkFlagValue(spec: TrainFlagSpec, value: unknown): string | null {
  if (spec.type === "number") {
    if (typeof value !== "number" || !Number.isFinite(value)) return `expected a number, got ${JSON.stringify(value)}`;
    if (spec.integer === true && !Number.isInteger(value)) return `expected a whole number, got ${value}`;
    return null;
  }
  if (spec.type === "boolean") return typeof value === "boolean" ? null : `expected true or false, got ${JSON.stringify(value)}`;
  if (typeof value !== "string") return `expected a string, got ${JSON.stringify(value)}`;
  if (spec.choices !== undefined && !spec.choices.includes(value)) return `expected one of ${spec.choices.join(", ")}, got '${value}'`;
  return null;
}

/**
 * Validates a parsed JSON train config (`source` names the file in errors): every key a known flag (aliases
 * become canonical names), every value of the flag's type. Defaults are NOT filled in: the trainer does that.
 */
export function parseTrainConfig(json: unknown, source: string): TrainConfig {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new TrainConfigError(`${source}: expected a JSON object {flag: value}, got ${Array.isArray(json) ? "an array" : JSON.stringify(json)}`);
  }
  const out: TrainConfig = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const spec = trainFlag(key);
    if (spec === undefined) throw new TrainConfigError(`${source}: unknown train flag '${key}' (see dept train --help)`);
    if (spec.name in out) throw new TrainConfigError(`${source}: '${key}' given twice (also as '${spec.name}' or another alias)`);
    const problem = checkFlagValue(spec, value);
    if (problem !== null) throw new TrainConfigError(`${source}: ${key}: ${problem}`);
    out[spec.name] = value as TrainFlagValue;
  }
  return out;
}

/** The same config as command-line flags (`--name value`, booleans as `--name true|false`). */
export function trainConfigToArgv(config: TrainConfig): string[] {
  return Object.entries(config).flatMap(([name, value]) => [`--${name}`, String(value)]);
}
