// k-shot sampling of train.py (~L530): shuffle the (already split) training set with HF
// Dataset.shuffle(seed=--seed), i.e. numpy.random.default_rng(seed).permutation(n), then walk it and take
// an example while its class has fewer than k // num_classes examples, or when exactly one example is
// still missing (which fills the odd remainder); stop at k. STS-B classes are "0" (score <= 2.5) / "1".
import { DatasetError } from "./errors.ts";
import type { TaskSpec } from "./tasks.ts";

export type Permutation = (n: number, seed: number) => Int32Array;

/** Positions into `targets` (the split training set, in its order) of the k-shot subset, in shuffled order. */
export function kShotPositions(task: TaskSpec, targets: readonly string[], k: number, seed: number, permutation: Permutation): number[] {
  const classes = task.kShotClasses;
  if (classes === null) {
    throw new DatasetError(`--k_shot_example ${k}`, `task ${task.name} has no entry in num_labels_mapping (k-shot works for: mnli, qqp, qnli, sst2, mrpc, stsb, rte, cola, superglue-cb/-boolq/-wic/-wsc.fixed/-multirc, scitail)`);
  }
  if (!Number.isInteger(k) || k < 0) throw new DatasetError("--k_shot_example", `expected a non-negative integer, got ${k}`);
  const perClass = Math.floor(k / classes.length);
  const counts = new Map<string, number>(classes.map((c) => [c, 0]));
  const perm = permutation(targets.length, seed);
  const out: number[] = [];
  for (const pos of perm) {
    if (out.length === k) break;
    let label = targets[pos]!;
    if (task.name === "stsb") label = Number.parseFloat(label) <= 2.5 ? "0" : "1";
    const have = counts.get(label);
    if (have === undefined) throw new DatasetError(`task ${task.name}`, `k-shot: target ${JSON.stringify(label)} is not one of the classes ${classes.join(", ")}`);
    if (have < perClass || out.length === k - 1) {
      counts.set(label, have + 1);
      out.push(pos);
    }
  }
  return out;
}
