// <split>_results.json and all_results.json as HF's Trainer.save_metrics(split, metrics, combined=True) writes
// them (trainer_pt_utils.py): json.dump(metrics, indent=4, sort_keys=True) without a trailing newline, and
// all_results.json = the union of every split's metrics (existing file updated). Metric keys carry the split
// prefix ("eval_accuracy", "test_loss", "train_runtime"); "epoch" is shared.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import { pyFloat, pyJsonDumps, type PyJson } from "./pyjson.ts";

export type ResultsSplit = "train" | "eval" | "test";

const INT_SUFFIXES = ["_samples"];

function toPy(metrics: Record<string, number>): Record<string, PyJson> {
  const out: Record<string, PyJson> = {};
  for (const [k, v] of Object.entries(metrics)) out[k] = INT_SUFFIXES.some((s) => k.endsWith(s)) && Number.isInteger(v) ? v : pyFloat(v);
  return out;
}

export async function saveMetrics(outputDir: string, split: ResultsSplit, metrics: Record<string, number>): Promise<void> {
  await writeFileAtomic(join(outputDir, `${split}_results.json`), pyJsonDumps(toPy(metrics), 4));
  const allPath = join(outputDir, "all_results.json");
  let all: Record<string, number>;
  try {
    all = JSON.parse(await readFile(allPath, "utf8")) as Record<string, number>;
  } catch {
    all = {};
  }
  await writeFileAtomic(allPath, pyJsonDumps(toPy({ ...all, ...metrics }), 4));
}
