// Experiment recipes: a JSON file describing a grid of `dept train` runs (packages/experiments/recipes/*.json).
// One run = base ⊕ run override ⊕ one grid point; its name is derived from the values that vary, in the
// style of the seed README's output dirs (`cola_lr3e-1_loralr5e-3`), and output_dir = output_root/name.
import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { checkFlagValue, parseTrainConfig, README_TASKS, trainFlag, type TrainConfig, type TrainFlagValue } from "../train-flags.ts";

export interface RecipeRunOverride {
  /** Optional name prefix for this run (else derived from its values). */
  readonly name?: string;
  /** Free-text provenance of this run's values. */
  readonly note?: string;
  readonly flags: TrainConfig;
}

export interface Recipe {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  /** Where the grid comes from (README section, spec section, issue, checkpoint). */
  readonly source: string;
  readonly notes: readonly string[];
  readonly base: TrainConfig;
  readonly grid: Readonly<Record<string, readonly TrainFlagValue[]>>;
  readonly runs: readonly RecipeRunOverride[];
  readonly outputRoot: string;
}

export interface PlannedRun {
  readonly name: string;
  /** Absolute run dir (output_root/name). */
  readonly outputDir: string;
  /** The full train config (output_dir included). */
  readonly config: TrainConfig;
  /** The values that vary across the recipe's runs, in name order. */
  readonly varying: Readonly<Record<string, TrainFlagValue>>;
}

/** A recipe file that does not follow the schema: names the file and the key. */
export class RecipeError extends Error {
  override readonly name = "RecipeError";
  readonly exitCode = 2;
}

const TOP_LEVEL_KEYS = ["name", "description", "source", "notes", "base", "grid", "runs", "output_root"] as const;
/** Flags the sweep owns: a recipe may not set them. */
const RESERVED_FLAGS = ["output_dir", "resume_from_checkpoint"];
const REQUIRED_FLAGS = ["task_name", "model_name_or_path", "max_steps"];
const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/** Short keys in run names; the first three follow the seed README's output_dir pattern. */
const NAME_ABBREVIATIONS: Readonly<Record<string, string>> = {
  learning_rate: "lr",
  lora_embedding_lr: "loralr",
  prefix_length: "pl",
  r: "r",
  max_steps: "st",
  max_seq_length: "ml",
  k_shot_example: "k",
  per_device_train_batch_size: "bs",
  gradient_accumulation_steps: "ga",
  warmup_steps: "wu",
  weight_decay: "wd",
  model_name_or_path: "model",
  peft_model_id: "from",
};
const METHOD_SHORT: Readonly<Record<string, string>> = { PROMPT_TUNING_LORA: "dept", PROMPT_TUNING: "pt", LORA: "lora" };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export async function loadRecipe(file: string): Promise<Recipe> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new RecipeError(`${file}: cannot read recipe (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RecipeError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return validateRecipe(json, file);
}

function checkFlags(obj: Record<string, unknown>, where: string, opts: { lists: boolean }): Record<string, unknown> {
  for (const [key, value] of Object.entries(obj)) {
    const spec = trainFlag(key);
    if (spec === undefined) throw new RecipeError(`${where}.${key}: unknown train flag '${key}' (see src/train-flags.ts)`);
    if (spec.name !== key) throw new RecipeError(`${where}.${key}: write the canonical flag name '${spec.name}'`);
    if (RESERVED_FLAGS.includes(key)) throw new RecipeError(`${where}.${key}: set by dept sweep (output_root/run-name), not by a recipe`);
    const values: unknown[] = opts.lists ? (Array.isArray(value) ? value : []) : [value];
    if (opts.lists) {
      if (!Array.isArray(value) || value.length === 0) throw new RecipeError(`${where}.${key}: expected a non-empty array of values`);
      const seen = new Set(value.map((v) => JSON.stringify(v)));
      if (seen.size !== value.length) throw new RecipeError(`${where}.${key}: repeated value`);
    }
    values.forEach((v, i) => {
      const problem = checkFlagValue(spec, v);
      if (problem !== null) throw new RecipeError(`${where}.${key}${opts.lists ? `[${i}]` : ""}: ${problem}`);
      if (key === "task_name" && !README_TASKS.includes(v as string)) {
        throw new RecipeError(`${where}.${key}${opts.lists ? `[${i}]` : ""}: unknown task '${String(v)}' (expected one of ${README_TASKS.join(", ")})`);
      }
    });
  }
  return obj;
}

/** Validates a parsed recipe (`file` names it in errors). */
export function validateRecipe(json: unknown, file: string): Recipe {
  if (!isObject(json)) throw new RecipeError(`${file}: expected a JSON object`);
  for (const key of Object.keys(json)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) throw new RecipeError(`${file}: unknown key '${key}' (expected ${TOP_LEVEL_KEYS.join(", ")})`);
  }
  const text = (key: string, required: boolean): string => {
    const v = json[key];
    if (v === undefined && !required) return "";
    if (typeof v !== "string" || v.trim() === "") throw new RecipeError(`${file}: '${key}' must be a non-empty string`);
    return v;
  };
  const name = text("name", true);
  if (!NAME_PATTERN.test(name)) throw new RecipeError(`${file}: 'name' must match ${String(NAME_PATTERN)}, got '${name}'`);
  const stem = basename(file).replace(/\.json$/, "");
  if (stem !== name) throw new RecipeError(`${file}: 'name' is '${name}' but the file is ${basename(file)} (they must agree)`);
  const notesRaw = json.notes ?? [];
  if (!Array.isArray(notesRaw) || notesRaw.some((n) => typeof n !== "string")) throw new RecipeError(`${file}: 'notes' must be an array of strings`);

  if (!isObject(json.base)) throw new RecipeError(`${file}: 'base' must be an object {flag: value}`);
  const base = checkFlags(json.base, `${file}: base`, { lists: false }) as TrainConfig;
  const gridRaw = json.grid ?? {};
  if (!isObject(gridRaw)) throw new RecipeError(`${file}: 'grid' must be an object {flag: [values...]}`);
  const grid = checkFlags(gridRaw, `${file}: grid`, { lists: true }) as Record<string, TrainFlagValue[]>;
  for (const key of Object.keys(grid)) {
    if (key in base) throw new RecipeError(`${file}: grid.${key}: also set in base (a flag is either fixed or varied)`);
  }
  const runsRaw = json.runs ?? [];
  if (!Array.isArray(runsRaw)) throw new RecipeError(`${file}: 'runs' must be an array of {flag: value} overrides`);
  const runs = runsRaw.map((entry: unknown, i): RecipeRunOverride => {
    const where = `${file}: runs[${i}]`;
    if (!isObject(entry)) throw new RecipeError(`${where}: expected an object {flag: value}`);
    const { name: runName, note, ...flags } = entry;
    if (runName !== undefined && (typeof runName !== "string" || !NAME_PATTERN.test(runName))) {
      throw new RecipeError(`${where}.name: must match ${String(NAME_PATTERN)}`);
    }
    if (note !== undefined && typeof note !== "string") throw new RecipeError(`${where}.note: must be a string`);
    checkFlags(flags, where, { lists: false });
    for (const key of Object.keys(flags)) {
      if (key in grid) throw new RecipeError(`${where}.${key}: also a grid key`);
    }
    return { ...(runName !== undefined ? { name: runName } : {}), ...(note !== undefined ? { note } : {}), flags: flags as TrainConfig };
  });
  const recipe: Recipe = {
    file,
    name,
    description: text("description", true),
    source: text("source", true),
    notes: notesRaw as string[],
    base,
    grid,
    runs,
    outputRoot: text("output_root", true),
  };
  // Expanding checks what only the merged configs show: required flags, per-method needs, unique names.
  expandRecipe(recipe, { cwd: "/" });
  return recipe;
}

/** 3e-1 style for fractions (as the seed README writes LRs), plain digits for whole numbers. */
export function formatNameValue(value: TrainFlagValue): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toExponential();
  if (typeof value === "boolean") return value ? "true" : "false";
  return value.replace(/[^A-Za-z0-9.-]+/g, "-");
}

function namePart(key: string, value: TrainFlagValue): string {
  if (key === "task_name") return formatNameValue(value);
  if (key === "peft_type") return METHOD_SHORT[value as string] ?? formatNameValue(value);
  if (typeof value === "boolean") return value ? key : `no-${key}`;
  if (key === "model_name_or_path" || key === "peft_model_id") return `${NAME_ABBREVIATIONS[key]}-${formatNameValue(basename(value as string))}`;
  return `${NAME_ABBREVIATIONS[key] ?? key}${formatNameValue(value)}`;
}

/** Stable order with task_name moved to the front (names start with the task, as in the seed README). */
function taskFirst(keys: string[]): string[] {
  return [...keys.filter((k) => k === "task_name"), ...keys.filter((k) => k !== "task_name")];
}

function cartesian(grid: Readonly<Record<string, readonly TrainFlagValue[]>>): Record<string, TrainFlagValue>[] {
  let points: Record<string, TrainFlagValue>[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return points;
}

/** Expands a recipe into its runs, in a fixed order: runs entries outer, grid points inner (last key fastest). */
export function expandRecipe(recipe: Recipe, opts: { cwd: string; outputRoot?: string }): PlannedRun[] {
  const root = resolve(opts.cwd, opts.outputRoot ?? recipe.outputRoot);
  const entries: RecipeRunOverride[] = recipe.runs.length > 0 ? [...recipe.runs] : [{ flags: {} }];
  const out: PlannedRun[] = [];
  const byName = new Map<string, number>();
  entries.forEach((entry, entryIndex) => {
    for (const point of cartesian(recipe.grid)) {
      const varying: Record<string, TrainFlagValue> = { ...entry.flags, ...point };
      const keys = taskFirst(Object.keys(varying));
      const parts = keys.map((k) => namePart(k, varying[k]!));
      const gridParts = taskFirst(Object.keys(point)).map((k) => namePart(k, point[k]!));
      const name =
        entry.name !== undefined ? [entry.name, ...gridParts].join("_") : parts.length > 0 ? parts.join("_") : recipe.name;
      const where = `${recipe.file}: run '${name}'${recipe.runs.length > 0 ? ` (runs[${entryIndex}])` : ""}`;
      const previous = byName.get(name);
      if (previous !== undefined) throw new RecipeError(`${where}: same name as run #${previous + 1}; give the runs entries distinct 'name's`);
      byName.set(name, out.length);
      const outputDir = resolve(root, name);
      const config = parseTrainConfig({ ...recipe.base, ...entry.flags, ...point, output_dir: outputDir }, where);
      for (const flag of REQUIRED_FLAGS) {
        if (config[flag] === undefined) throw new RecipeError(`${where}: missing required flag '${flag}' (put it in base, grid or runs)`);
      }
      if (config.do_train !== true && config.do_eval !== true && config.do_predict !== true) {
        throw new RecipeError(`${where}: nothing to do: set do_train, do_eval and/or do_predict`);
      }
      const method = (config.peft_type as string | undefined) ?? "PROMPT_TUNING_LORA";
      if ((method === "PROMPT_TUNING_LORA" || method === "LORA") && config.r === undefined) {
        throw new RecipeError(`${where}: peft_type ${method} needs 'r'`);
      }
      if (method !== "LORA" && method !== "PROMPT_TUNING_LORA" && config.r !== undefined) {
        throw new RecipeError(`${where}: 'r' is set but peft_type ${method} has no low-rank matrices`);
      }
      if (method !== "PROMPT_TUNING_LORA" && config.lora_embedding_lr !== undefined) {
        throw new RecipeError(`${where}: 'lora_embedding_lr' only applies to PROMPT_TUNING_LORA (DePT), not ${method}`);
      }
      out.push({ name, outputDir, config, varying: Object.fromEntries(keys.map((k) => [k, varying[k]!])) });
    }
  });
  return out;
}

/**
 * --only PATTERN: a glob over run names (`*` any text, `?` one character, anchored); a pattern without
 * wildcards matches any run whose name contains it. Several patterns may be given comma-separated.
 */
export function matchesPattern(name: string, pattern: string): boolean {
  return pattern.split(",").some((p) => {
    const part = p.trim();
    if (part === "") return false;
    if (!/[*?]/.test(part)) return name.includes(part);
    const regex = new RegExp(`^${part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return regex.test(name);
  });
}
