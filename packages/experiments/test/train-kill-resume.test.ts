// `dept train` killed between checkpoints (SIGKILL to the whole process group, as a crash or a pre-empted job
// would be) and resumed with --resume_from_checkpoint in the SAME output dir ends at exactly the adapter of an
// uninterrupted run. Uses @dept/trainer's golden t5-tiny fixtures (packages/trainer/test/fixtures/README.md).
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSafetensors } from "@dept/runtime";
import { describe, expect, it } from "vitest";

const TRAINER_FIXTURES = fileURLToPath(new URL("../../trainer/test/fixtures/", import.meta.url));
const CASE = join(TRAINER_FIXTURES, "f_dept_train");
const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const MAX_STEPS = 24;
const SAVE_STEPS = 4;

const flags = (outputDir: string, extra: string[] = []) => [
  "src/cli.ts", "train",
  "--model_name_or_path", join(TRAINER_FIXTURES, "t5-tiny"),
  "--task_name", "rte",
  "--data_dir", join(CASE, "data"),
  "--output_dir", outputDir,
  "--peft_type", "PROMPT_TUNING_LORA",
  "--peft_model_id", join(CASE, "adapter_init"),
  "--prefix_length", "4", "--r", "3", "--max_seq_length", "24",
  "--learning_rate", "3e-1", "--lora_embedding_lr", "5e-3",
  "--warmup_steps", "2", "--max_steps", String(MAX_STEPS),
  "--per_device_train_batch_size", "8",
  "--save_strategy", "steps", "--save_steps", String(SAVE_STEPS), "--save_total_limit", "2",
  "--logging_steps", "1", "--seed", "7",
  "--do_train",
  ...extra,
];

/** Runs `dept train` to completion; rejects on a non-zero exit. */
function runToEnd(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, args, { cwd: PACKAGE_ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`dept train exited ${code}: ${err.slice(-2000)}`))));
  });
}

/** Starts `dept train`, SIGKILLs its process group once a checkpoint at or past `killAfter` is complete. */
function runAndKill(args: string[], outputDir: string, killAfter: number): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, args, { cwd: PACKAGE_ROOT, stdio: "ignore", detached: true });
    let killed = false;
    const deadline = Date.now() + 120_000;
    const timer = setInterval(() => {
      if (Date.now() > deadline) {
        clearInterval(timer);
        process.kill(-child.pid!, "SIGKILL");
        reject(new Error("no checkpoint appeared within 120 s"));
        return;
      }
      const done = completeCheckpoints(outputDir);
      if (!killed && done.some((s) => s >= killAfter)) {
        killed = true;
        process.kill(-child.pid!, "SIGKILL");
      }
    }, 20);
    child.on("exit", () => {
      clearInterval(timer);
      resolve({ killed });
    });
  });
}

/** Steps of checkpoint-<step>/ folders whose trainer_state.json exists (written last, atomically). */
function completeCheckpoints(outputDir: string): number[] {
  if (!existsSync(outputDir)) return [];
  return readdirSync(outputDir)
    .filter((n) => /^checkpoint-\d+$/.test(n) && existsSync(join(outputDir, n, "trainer_state.json")))
    .map((n) => Number(n.slice("checkpoint-".length)))
    .sort((a, b) => a - b);
}

async function adapter(dir: string): Promise<Record<string, number[]>> {
  const { tensors } = await readSafetensors(join(dir, "adapter_model.safetensors"));
  return Object.fromEntries([...tensors].map(([k, t]) => [k, Array.from(t.data)]));
}

describe("dept train: kill between checkpoints, resume", () => {
  it("a SIGKILLed run resumed from its last checkpoint ends at the uninterrupted run's adapter", async () => {
    const root = await mkdtemp(join(tmpdir(), "dept-kill-"));
    const full = join(root, "full");
    const crashed = join(root, "crashed");
    await runToEnd(flags(full));

    const { killed } = await runAndKill(flags(crashed), crashed, SAVE_STEPS);
    // The kill must land mid-run: otherwise this test would compare two uninterrupted runs.
    expect(killed).toBe(true);
    expect(existsSync(join(crashed, "all_results.json"))).toBe(false);
    const last = completeCheckpoints(crashed).at(-1)!;
    expect(last).toBeGreaterThanOrEqual(SAVE_STEPS);
    expect(last).toBeLessThan(MAX_STEPS);

    await runToEnd(flags(crashed, ["--resume_from_checkpoint", join(crashed, `checkpoint-${last}`)]));
    expect(await adapter(crashed)).toEqual(await adapter(full));
    const state = JSON.parse(await readFile(join(crashed, "trainer_state.json"), "utf8")) as { global_step: number };
    expect(state.global_step).toBe(MAX_STEPS);
  });
});
