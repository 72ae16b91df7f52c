// Runs a recipe's runs one after another by spawning the train command with one JSON config argument per run
// (HF style: `dept train <dir>/dept-run-config.json`). Resumable: a run whose dir holds all_results.json is
// done and skipped; a run dir with checkpoint-N/ subdirs is resumed from the newest one through
// resume_from_checkpoint (the newest complete one, as HF's get_last_checkpoint picks the highest N).
// A run dir whose dept-run-config.json says it was started with other flags is not resumed (failed, with the
// flags named). A failed run is recorded in <output_root>/sweep-log.jsonl and the sweep goes on.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CommandIO } from "../command.ts";
import type { PlannedRun } from "../recipes/recipe.ts";
import type { TrainConfig } from "../train-flags.ts";
import { checkpointDirs, RUN_CONFIG_FILE } from "../report/run-dir.ts";

/** HF writes it last (train + eval + test metrics): its presence marks a finished run. */
export const DONE_FILE = "all_results.json";
export const SWEEP_LOG = "sweep-log.jsonl";
export const TRAIN_LOG = "train.log";
/** Env var holding a test double for the train command: a JSON array of argv words, or a node script path. */
export const TRAIN_CMD_ENV = "DEPT_SWEEP_TRAIN_CMD";

export type RunState = { kind: "done" } | { kind: "resume"; checkpoint: string } | { kind: "new" };

/** What the sweep would do with a run dir right now. */
export function runState(outputDir: string): RunState {
  if (existsSync(join(outputDir, DONE_FILE))) return { kind: "done" };
  if (!existsSync(outputDir)) return { kind: "new" };
  // A checkpoint still being written when the run died has no trainer_state.json yet: not resumable.
  const newest = checkpointDirs(outputDir).find((name) => existsSync(join(outputDir, name, "trainer_state.json")));
  return newest === undefined ? { kind: "new" } : { kind: "resume", checkpoint: join(outputDir, newest) };
}

/** The real train command: this package's CLI through tsx, in a fresh node process. */
export function defaultTrainCommand(): string[] {
  const tsxLoader = createRequire(import.meta.url).resolve("tsx");
  const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
  return [process.execPath, "--import", pathToFileURL(tsxLoader).href, cli, "train"];
}

/** $DEPT_SWEEP_TRAIN_CMD (tests) else the real one. */
export function resolveTrainCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env[TRAIN_CMD_ENV];
  if (raw === undefined || raw.trim() === "") return defaultTrainCommand();
  if (raw.trim().startsWith("[")) {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed) || parsed.length === 0 || parsed.some((w) => typeof w !== "string")) {
      throw new Error(`${TRAIN_CMD_ENV}: expected a JSON array of strings, got ${raw}`);
    }
    return parsed as string[];
  }
  return [process.execPath, raw];
}

export interface SweepOptions {
  readonly recipe: string;
  readonly outputRoot: string;
  readonly trainCommand: readonly string[];
  readonly cwd: string;
  readonly io: CommandIO;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunOutcome {
  readonly name: string;
  readonly status: "skipped" | "completed" | "failed";
  readonly resumedFrom: string | null;
  readonly exitCode: number | null;
  readonly error: string | null;
}

interface ChildResult {
  code: number | null;
  signal: string | null;
  spawnError: string | null;
  tail: string[];
}

const TAIL_LINES = 20;

function runChild(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string, onLine: (line: string) => void): Promise<ChildResult> {
  return new Promise((resolvePromise) => {
    const log = createWriteStream(logFile, { flags: "a" });
    const tail: string[] = [];
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let spawnError: string | null = null;
    const pending = { stdout: "", stderr: "" };
    const take = (stream: "stdout" | "stderr", chunk: Buffer) => {
      log.write(chunk);
      const lines = (pending[stream] + chunk.toString("utf8")).split("\n");
      pending[stream] = lines.pop() ?? "";
      for (const line of lines) {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on("data", (c: Buffer) => take("stdout", c));
    child.stderr.on("data", (c: Buffer) => take("stderr", c));
    child.on("error", (error) => {
      spawnError = error.message;
    });
    child.on("close", (code, signal) => {
      for (const rest of [pending.stdout, pending.stderr]) {
        if (rest === "") continue;
        tail.push(rest);
        onLine(rest);
      }
      log.end(() => resolvePromise({ code, signal, spawnError, tail: tail.slice(-TAIL_LINES) }));
    });
  });
}

/** Flags whose value differs between the config a run dir was started with and `config` (ignoring resume). */
async function changedFlags(configPath: string, config: TrainConfig): Promise<string[]> {
  if (!existsSync(configPath)) return [];
  let previous: Record<string, unknown>;
  try {
    previous = JSON.parse(await readFile(configPath, "utf8")) as Record<string, unknown>;
  } catch {
    return [RUN_CONFIG_FILE];
  }
  const keys = new Set([...Object.keys(previous), ...Object.keys(config)]);
  keys.delete("resume_from_checkpoint");
  return [...keys].filter((k) => JSON.stringify(previous[k]) !== JSON.stringify(config[k])).sort();
}

/** Runs the planned runs in order; returns one outcome per run. Never throws for a failed run. */
export async function runSweep(runs: readonly PlannedRun[], opts: SweepOptions): Promise<RunOutcome[]> {
  const { io } = opts;
  const logPath = join(opts.outputRoot, SWEEP_LOG);
  await mkdir(opts.outputRoot, { recursive: true });
  const record = (entry: Record<string, unknown>) =>
    appendFile(logPath, `${JSON.stringify({ time: new Date().toISOString(), recipe: opts.recipe, ...entry })}\n`);
  const outcomes: RunOutcome[] = [];
  for (const [i, run] of runs.entries()) {
    const prefix = `[${i + 1}/${runs.length}] ${run.name}`;
    const state = runState(run.outputDir);
    if (state.kind === "done") {
      io.stdout(`${prefix}: skipped (${DONE_FILE} present)`);
      await record({ run: run.name, status: "skipped", output_dir: run.outputDir });
      outcomes.push({ name: run.name, status: "skipped", resumedFrom: null, exitCode: null, error: null });
      continue;
    }
    const resumedFrom = state.kind === "resume" ? state.checkpoint : null;
    const config = resumedFrom === null ? run.config : { ...run.config, resume_from_checkpoint: resumedFrom };
    await mkdir(run.outputDir, { recursive: true });
    const configPath = join(run.outputDir, RUN_CONFIG_FILE);
    // Resuming checkpoints made under other hyperparameters would silently mix two runs: refuse.
    const changed = resumedFrom === null ? [] : await changedFlags(configPath, run.config);
    if (changed.length > 0) {
      const error = `recipe changed since this run dir was started (${changed.join(", ")}): delete ${run.outputDir} or restore the recipe`;
      await record({ run: run.name, status: "failed", output_dir: run.outputDir, resumed_from: null, error });
      io.stdout(`${prefix}: FAILED (${error})`);
      outcomes.push({ name: run.name, status: "failed", resumedFrom: null, exitCode: null, error });
      continue;
    }
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    io.stdout(`${prefix}: ${resumedFrom === null ? "starting" : `resuming from ${resumedFrom}`}`);
    const started = Date.now();
    const child = await runChild(
      [...opts.trainCommand, configPath],
      opts.cwd,
      opts.env ?? process.env,
      join(run.outputDir, TRAIN_LOG),
      (line) => io.stderr(`${run.name}| ${line}`),
    );
    const seconds = (Date.now() - started) / 1000;
    let error: string | null = null;
    if (child.spawnError !== null) error = `could not start ${opts.trainCommand[0] ?? "?"}: ${child.spawnError}`;
    else if (child.code !== 0) error = child.signal !== null ? `killed by ${child.signal}` : `exit code ${child.code ?? "?"}`;
    else if (!existsSync(join(run.outputDir, DONE_FILE))) error = `train exited 0 but wrote no ${DONE_FILE}`;
    const status = error === null ? "completed" : "failed";
    await record({
      run: run.name,
      status,
      output_dir: run.outputDir,
      resumed_from: resumedFrom,
      exit_code: child.code,
      signal: child.signal,
      seconds,
      error,
      ...(error === null ? {} : { log_tail: child.tail }),
    });
    io.stdout(`${prefix}: ${error === null ? `completed in ${seconds.toFixed(1)}s` : `FAILED (${error}); log: ${join(run.outputDir, TRAIN_LOG)}`}`);
    outcomes.push({ name: run.name, status, resumedFrom, exitCode: child.code, error });
  }
  return outcomes;
}
