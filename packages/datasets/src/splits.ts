// Split policy of the reference (src/tasks.py AbstractTask.get / get_split_indices / subsample, and
// train.py's yelp_polarity cap): which rows of which HF split make up our train/validation/test, in the
// order the trainer sees them. Every shuffle is torch.randperm(n) with a generator seeded 42
// (AutoTask.get(..., seed=42) is hard-coded, independent of --seed).
import { DatasetError } from "./errors.ts";
import { LARGE_VALIDATION_SIZE, type SplitName, type TaskSpec } from "./tasks.ts";

/** The seed tasks.py shuffles with (AutoTask.get(task, config, seed=42) in train.py). */
export const SPLIT_SEED = 42;

export type Randperm = (n: number, seed: number) => Int32Array;

/** Which HF split holds the rows of `split` under the task's policy. */
export function sourceSplitOf(task: TaskSpec, split: SplitName): string {
  if (task.splitPolicy === "small" && split !== "train") return hfSplit(task, "validation");
  if (task.splitPolicy === "large" && split !== "test") return "train";
  return hfSplit(task, split);
}

function hfSplit(task: TaskSpec, split: SplitName): string {
  const mapped = task.splitToDataSplit[split];
  if (mapped === undefined) throw new DatasetError(`task ${task.name}`, `has no ${split} split (split_to_data_split maps only ${Object.keys(task.splitToDataSplit).join(", ")})`);
  return mapped;
}

export interface Selection {
  /** Row numbers of the source split in output order; null = rows 0..count-1 in file order. */
  readonly indices: Int32Array | null;
  readonly count: number;
}

/**
 * Rows of the source split (n rows) that form `split`, in order.
 * limit = the reference's n_obs (max_train/eval/predict_samples): the first `limit` of the split's
 * indices; where the split is a whole HF split, a seed-42 randperm subsample (subsample()).
 */
export function selectRows(task: TaskSpec, split: SplitName, n: number, randperm: Randperm, limit?: number): Selection {
  let indices: Int32Array | null = null;
  let count = n;
  if (task.splitPolicy === "small" && split !== "train") {
    const perm = randperm(n, SPLIT_SEED);
    const half = Math.floor(n / 2);
    indices = split === "validation" ? perm.subarray(0, half) : perm.subarray(half);
  } else if (task.splitPolicy === "large" && split !== "test") {
    const perm = randperm(n, SPLIT_SEED);
    const cut = Math.min(LARGE_VALIDATION_SIZE, n);
    indices = split === "validation" ? perm.subarray(0, cut) : perm.subarray(cut);
  } else if (limit !== undefined) {
    indices = randperm(n, SPLIT_SEED);
  }
  if (indices !== null) count = indices.length;
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 0) throw new DatasetError("--limit", `expected a non-negative integer, got ${limit}`);
    count = Math.min(count, limit);
  }
  // train.py: train_dataset.select(range(100000)) for yelp_polarity (the reference would fail with
  // fewer rows; here the cap is a maximum).
  if (split === "train" && task.trainCap !== null) count = Math.min(count, task.trainCap);
  if (indices !== null && count < indices.length) indices = indices.subarray(0, count);
  return { indices, count };
}
