// The 17 released DePT t5-base runs (checkpoints/<task>/ of github.com/ZhengxiangShi/DePT at f0266a7) as
// reference numbers for `dept report`. src/reference/released-t5-base.json is generated from those files by
// tools/make-released-reference.ts (never edited by hand); test/reference.test.ts rebuilds entries from
// verbatim copies in test/fixtures/released/ and checks they equal the stored ones.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { InputError } from "../command.ts";
import { parseHfJson, readRunDir } from "../report/run-dir.ts";

export interface ReleasedRun {
  /** Run dir name in best_model_checkpoint, e.g. cola_lr3e-1_loralr5e-4_pl80_r15_st40000. */
  readonly run_name: string;
  readonly peft_type: string;
  readonly m: number;
  readonly r: number;
  readonly max_length: number;
  readonly learning_rate: number;
  readonly lora_embedding_lr: number;
  readonly max_steps: number;
  readonly best_step: number;
  readonly selection_metric: string;
  /** Validation value of the selection metric at best_step (trainer_state.json best_metric). */
  readonly eval_selection: number;
  /** checkpoints/<task>/test_results.json, verbatim. */
  readonly test_results: Readonly<Record<string, number>>;
}

export interface ReleasedReference {
  readonly description: string;
  readonly source: string;
  readonly commit: string;
  readonly generated_by: string;
  readonly tasks: Readonly<Record<string, ReleasedRun>>;
}

function need<T>(value: T | null, what: string, dir: string): T {
  if (value === null) throw new InputError(`${dir}: cannot tell ${what} from adapter_config.json / trainer_state.json`);
  return value;
}

/** Builds one reference entry from a released checkpoint dir (the task is the dir name). */
export async function buildReleasedRun(dir: string): Promise<ReleasedRun> {
  const run = await readRunDir(dir);
  if (run.task !== basename(dir)) throw new InputError(`${dir}: run name says task '${run.task ?? "?"}', the dir is '${basename(dir)}'`);
  const stateFile = join(dir, "trainer_state.json");
  const state = parseHfJson(await readFile(stateFile, "utf8"), stateFile) as { best_model_checkpoint?: string };
  const testFile = join(dir, "test_results.json");
  const test = parseHfJson(await readFile(testFile, "utf8"), testFile) as Record<string, number>;
  return {
    run_name: basename((state.best_model_checkpoint ?? "").replace(/\/checkpoint-\d+\/?$/, "")),
    peft_type: need(run.peftType, "peft_type", dir),
    m: need(run.m, "m", dir),
    r: need(run.r, "r", dir),
    max_length: need(run.s, "max_length", dir),
    learning_rate: need(run.lr, "learning_rate", dir),
    lora_embedding_lr: need(run.loraLr, "lora_embedding_lr", dir),
    max_steps: need(run.maxSteps, "max_steps", dir),
    best_step: need(run.bestStep, "best step", dir),
    selection_metric: need(run.selectionMetric, "selection metric", dir),
    eval_selection: need(run.evalSelection, "eval selection value", dir),
    test_results: test,
  };
}

let cached: ReleasedReference | undefined;

/** The stored reference (src/reference/released-t5-base.json). */
export function releasedReference(): ReleasedReference {
  cached ??= JSON.parse(readFileSync(new URL("./released-t5-base.json", import.meta.url), "utf8")) as ReleasedReference;
  return cached;
}
