// loadTaskExamples: the examples the reference's trainer gets for (task, split): locate the split files
// (layout.ts), read them lazily batch by batch (readers/), keep only the rows the split policy selects
// (splits.ts, seed-42 torch.randperm), format them (tasks.ts), cap yelp_polarity, k-shot sample
// (kshot.ts). Only selected rows are ever materialised, and only the columns the task reads are decoded.
import { numpyPermutation, torchRandperm } from "@dept/runtime";
import { customTaskInDir, loadCustomTask } from "./custom.ts";
import { DatasetError } from "./errors.ts";
import { kShotPositions } from "./kshot.ts";
import { resolveSplitFiles } from "./layout.ts";
import { ShardedTable } from "./readers/index.ts";
import type { Row } from "./readers/table.ts";
import { selectRows, sourceSplitOf, type Randperm } from "./splits.ts";
import { FieldError, getTask, isBuiltinTask, SPLIT_NAMES, type SplitName, type TaskSpec } from "./tasks.ts";

export interface Example {
  /** Row number in the source split (file order, across shards). */
  row: number;
  source: string;
  target: string;
  task: string;
  /** QA tasks: gold answers for EM/F1 (reference: [target]; fixQuirks: every answer). */
  answers?: string[];
  /** superglue-multirc: the question group idx.question. */
  group?: number;
}

export interface LoadOptions {
  dataDir?: string;
  /** The reference's n_obs (--max_train/eval/predict_samples). */
  limit?: number;
  /** --k_shot_example (train split only; validation/test stay full). */
  kShot?: number;
  /** --seed for the k-shot shuffle (HF Trainer default 42). */
  seed?: number;
  /** Turn on the fixes of the reference's documented quirks (callers record the mode). */
  fixQuirks?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Hub endpoint for downloads (tests point it at a local server). */
  endpoint?: string;
}

/** The trainer's default --seed (HF TrainingArguments.seed). */
export const DEFAULT_SEED = 42;

/** A built-in task name, a path to a task JSON file, or a name declared by <dataDir>/task.json. */
export function resolveTask(task: string | TaskSpec, dataDir?: string): TaskSpec {
  if (typeof task !== "string") return task;
  if (isBuiltinTask(task)) return getTask(task);
  if (task.endsWith(".json")) return loadCustomTask(task);
  if (dataDir !== undefined) {
    const custom = customTaskInDir(dataDir, task);
    if (custom !== null) return custom;
  }
  return getTask(task); // throws the unknown-task error
}

function checkSplit(split: string): SplitName {
  if (!SPLIT_NAMES.includes(split as SplitName)) throw new DatasetError(`--split ${split}`, "expected train, validation or test");
  return split as SplitName;
}

interface Opened {
  task: TaskSpec;
  table: ShardedTable;
  n: number;
  selection: ReturnType<typeof selectRows>;
}

async function open(taskArg: string | TaskSpec, splitArg: string, opts: LoadOptions): Promise<Opened> {
  const split = checkSplit(splitArg);
  const task = resolveTask(taskArg, opts.dataDir);
  if (opts.kShot !== undefined && split === "train" && task.kShotClasses === null) {
    // Fail before reading anything (the reference raises KeyError on num_labels_mapping[task]).
    kShotPositions(task, [], opts.kShot, opts.seed ?? DEFAULT_SEED, () => new Int32Array(0));
  }
  const source = sourceSplitOf(task, split);
  const resolved = await resolveSplitFiles(task.dataset, source, {
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
    ...(opts.env !== undefined ? { env: opts.env } : {}),
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
  });
  const table = new ShardedTable(resolved.files);
  for (const reader of table.readers) {
    const have = await reader.columns();
    const missing = task.columns.filter((c) => !have.includes(c));
    if (missing.length > 0) {
      throw new DatasetError(reader.path, `missing column${missing.length > 1 ? "s" : ""} ${missing.map((c) => `'${c}'`).join(", ")} needed by task ${task.name} (the file has: ${have.join(", ")})`);
    }
  }
  const n = await table.numRows();
  const randperm: Randperm = needsPermutation(task, split, opts.limit) ? torchRandperm : () => new Int32Array(0);
  const selection = selectRows(task, split, n, randperm, opts.limit);
  return { task, table, n, selection };
}

function needsPermutation(task: TaskSpec, split: SplitName, limit: number | undefined): boolean {
  return (task.splitPolicy === "small" && split !== "train") || (task.splitPolicy === "large" && split !== "test") || limit !== undefined;
}

function toExample(task: TaskSpec, row: Row, rowNumber: number, path: string, fixQuirks: boolean): Example {
  try {
    const f = task.format(row, { fixQuirks });
    return {
      row: rowNumber,
      source: f.source,
      target: f.target,
      task: task.name,
      ...(f.answers !== undefined ? { answers: f.answers } : {}),
      ...(f.group !== undefined ? { group: f.group } : {}),
    };
  } catch (error) {
    if (error instanceof FieldError) throw new DatasetError(`${path} row ${rowNumber}`, error.message);
    if (error instanceof SyntaxError) throw new DatasetError(`${path} row ${rowNumber}`, `cannot format for task ${task.name} (${error.message})`);
    throw error;
  }
}

/** Examples of the split in the trainer's (unshuffled) order, materialising only the selected rows. */
async function readSelected(o: Opened, fixQuirks: boolean): Promise<Example[]> {
  const { task, table, n, selection } = o;
  const columns = task.columns;
  if (selection.indices === null) {
    const out: Example[] = [];
    if (selection.count === 0) return out;
    for await (const batch of table.batches({ columns, wanted: (start) => start < selection.count })) {
      for (let i = 0; i < batch.rows.length && batch.start + i < selection.count; i++) {
        out.push(toExample(task, batch.rows[i]!, batch.start + i, batch.path, fixQuirks));
      }
      if (batch.start + batch.rows.length >= selection.count) break;
    }
    return out;
  }
  // slot[row] = output position (+1; 0 = not selected); prefix[i] = selected rows among rows < i.
  const slot = new Int32Array(n);
  selection.indices.forEach((row, pos) => {
    slot[row] = pos + 1;
  });
  const prefix = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + (slot[i]! > 0 ? 1 : 0);
  const out = new Array<Example | undefined>(selection.count);
  let remaining = selection.count;
  for await (const batch of table.batches({ columns, wanted: (s, e) => prefix[Math.min(e, n)]! - prefix[s]! > 0 })) {
    for (let i = 0; i < batch.rows.length; i++) {
      const r = batch.start + i;
      const pos = slot[r]!;
      if (pos === 0) continue;
      out[pos - 1] = toExample(task, batch.rows[i]!, r, batch.path, fixQuirks);
      remaining--;
    }
    if (remaining === 0) break;
  }
  if (remaining !== 0) throw new DatasetError(table.paths.join(", "), `held fewer rows than its metadata says (${n})`);
  return out as Example[];
}

/**
 * The examples the reference feeds its model for `split` of `task`, in order (before the trainer's
 * per-epoch shuffle). See LoadOptions for limit (n_obs), k-shot and fixQuirks.
 */
export async function loadTaskExamples(task: string | TaskSpec, split: "train" | "validation" | "test", opts: LoadOptions = {}): Promise<Example[]> {
  const o = await open(task, split, opts);
  const examples = await readSelected(o, opts.fixQuirks === true);
  if (split === "train" && opts.kShot !== undefined) {
    const positions = kShotPositions(o.task, examples.map((e) => e.target), opts.kShot, opts.seed ?? DEFAULT_SEED, numpyPermutation);
    return positions.map((p) => examples[p]!);
  }
  return examples;
}

/** Number of rows in the HF split that `split` is drawn from (for logs and tests). */
export async function sourceSplitSize(task: string | TaskSpec, split: "train" | "validation" | "test", opts: LoadOptions = {}): Promise<number> {
  const spec = resolveTask(task, opts.dataDir);
  const resolved = await resolveSplitFiles(spec.dataset, sourceSplitOf(spec, checkSplit(split)), opts);
  return new ShardedTable(resolved.files).numRows();
}
