// trainer_state.json in HF transformers' format (trainer_callback.py TrainerState; written by save_to_json with
// indent 2 and sorted keys). log_history entries follow trainer.py: training logs {loss, grad_norm,
// learning_rate, epoch, step} (loss rounded to 4 digits, epoch to 2), eval logs {eval_<metric>..., eval_loss,
// eval_runtime, eval_samples_per_second, eval_steps_per_second, epoch, step}, and the final train summary
// {train_runtime, train_samples_per_second, train_steps_per_second, total_flos, train_loss, epoch, step}.
// Cross-checked against the DePT repo's checkpoints/rte/trainer_state.json.
import { readFile } from "node:fs/promises";
import { CheckpointError } from "../errors.ts";
import { writeFileAtomic } from "./atomic.ts";
import { pyFloat, pyJsonDumps, type PyJson } from "./pyjson.ts";

export type LogEntry = Record<string, number>;

export interface TrainerStateData {
  best_metric: number | null;
  best_model_checkpoint: string | null;
  epoch: number;
  global_step: number;
  is_hyper_param_search: boolean;
  is_local_process_zero: boolean;
  is_world_process_zero: boolean;
  log_history: LogEntry[];
  /** Newer HF versions (>= 4.36) also record these; files from older versions (the DePT runs) lack them. */
  logging_steps?: number;
  eval_steps?: number;
  save_steps?: number;
  max_steps: number;
  num_train_epochs: number;
  total_flos: number;
  train_batch_size?: number;
  trial_name: null;
  trial_params: null;
}

/** Keys whose values are integers in HF's logs (everything else is written as a Python float). */
const INT_KEYS = new Set(["step", "global_step", "max_steps", "num_train_epochs", "logging_steps", "eval_steps", "save_steps", "train_batch_size", "train_samples", "eval_samples", "test_samples", "predict_samples"]);

function entryToPy(e: LogEntry): PyJson {
  const out: Record<string, PyJson> = {};
  for (const [k, v] of Object.entries(e)) out[k] = INT_KEYS.has(k) ? v : pyFloat(v);
  return out;
}

export function newTrainerState(opts: { maxSteps: number; numTrainEpochs: number; loggingSteps: number; evalSteps: number; saveSteps: number; trainBatchSize: number }): TrainerStateData {
  return {
    best_metric: null,
    best_model_checkpoint: null,
    epoch: 0,
    global_step: 0,
    is_hyper_param_search: false,
    is_local_process_zero: true,
    is_world_process_zero: true,
    log_history: [],
    logging_steps: opts.loggingSteps,
    eval_steps: opts.evalSteps,
    save_steps: opts.saveSteps,
    max_steps: opts.maxSteps,
    num_train_epochs: opts.numTrainEpochs,
    total_flos: 0,
    train_batch_size: opts.trainBatchSize,
    trial_name: null,
    trial_params: null,
  };
}

export function trainerStateJson(s: TrainerStateData): string {
  const py: Record<string, PyJson | undefined> = {
    best_metric: s.best_metric === null ? null : pyFloat(s.best_metric),
    best_model_checkpoint: s.best_model_checkpoint,
    epoch: pyFloat(s.epoch),
    global_step: s.global_step,
    is_hyper_param_search: s.is_hyper_param_search,
    is_local_process_zero: s.is_local_process_zero,
    is_world_process_zero: s.is_world_process_zero,
    log_history: s.log_history.map(entryToPy),
    logging_steps: s.logging_steps,
    eval_steps: s.eval_steps,
    save_steps: s.save_steps,
    max_steps: s.max_steps,
    num_train_epochs: s.num_train_epochs,
    total_flos: pyFloat(s.total_flos),
    train_batch_size: s.train_batch_size,
    trial_name: null,
    trial_params: null,
  };
  return `${pyJsonDumps(py, 2)}\n`;
}

export async function saveTrainerState(path: string, s: TrainerStateData): Promise<void> {
  await writeFileAtomic(path, trainerStateJson(s));
}

export async function loadTrainerState(path: string): Promise<TrainerStateData> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new CheckpointError(path, `cannot read trainer state (${(error as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null) throw new CheckpointError(path, "trainer state is not a JSON object");
  const o = raw as Record<string, unknown>;
  for (const key of ["global_step", "max_steps", "epoch"]) {
    if (typeof o[key] !== "number") throw new CheckpointError(path, `trainer state field '${key}' must be a number`);
  }
  if (!Array.isArray(o.log_history)) throw new CheckpointError(path, "trainer state field 'log_history' must be a list");
  const num = (k: string, d: number) => (typeof o[k] === "number" ? o[k] : d);
  const opt = (k: string) => (typeof o[k] === "number" ? o[k] : undefined);
  return {
    best_metric: typeof o.best_metric === "number" ? o.best_metric : null,
    best_model_checkpoint: typeof o.best_model_checkpoint === "string" ? o.best_model_checkpoint : null,
    epoch: o.epoch as number,
    global_step: o.global_step as number,
    is_hyper_param_search: false,
    is_local_process_zero: true,
    is_world_process_zero: true,
    log_history: o.log_history as LogEntry[],
    logging_steps: opt("logging_steps"),
    eval_steps: opt("eval_steps"),
    save_steps: opt("save_steps"),
    max_steps: o.max_steps as number,
    num_train_epochs: num("num_train_epochs", 0),
    total_flos: num("total_flos", 0),
    train_batch_size: opt("train_batch_size"),
    trial_name: null,
    trial_params: null,
  };
}

/** HF rounds logged values like this (trainer.py: round(x, 4) for loss, round(epoch, 2)); Python round-half-even. */
export function pyRound(x: number, digits: number): number {
  const f = 10 ** digits;
  const y = x * f;
  const r = Math.round(y);
  // Python's round() is half-to-even on the exact binary value; ties are exact only when y is a .5 value.
  // Math.round sends ties up (towards +Infinity); the even neighbour of an odd result is then r - 1.
  const tie = Math.abs(y - Math.trunc(y)) === 0.5;
  return (tie && r % 2 !== 0 ? r - 1 : r) / f;
}
