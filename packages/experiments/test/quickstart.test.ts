// `dept quickstart`: the command logic with the sweep's fake train command (fast, in-process), and the real thing
// end to end in a subprocess (`tsx src/cli.ts quickstart`, real `dept train` on the embedded tiny model and the
// embedded amazon-sentiment data) on a few steps and a few examples.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { quickstartOverrides, REAL_MODEL_FLAG } from "../src/commands/quickstart.ts";
import { main } from "../src/main.ts";
import { TRAIN_CMD_ENV } from "../src/sweep/sweep.ts";
import { capture } from "./helpers/capture.ts";

const FAKE_TRAIN = fileURLToPath(new URL("./fixtures/fake-train.mjs", import.meta.url));
const PACKAGE = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(PACKAGE, "src/cli.ts");
const MODEL = fileURLToPath(new URL("../assets/t5-tiny-random", import.meta.url));

describe("quickstartOverrides", () => {
  const base = { max_steps: 300, warmup_steps: 30, eval_steps: 50, save_steps: 50, logging_steps: 25, model_name_or_path: "embedded:t5-tiny-random" };
  it("leaves the recipe alone without overrides", () => {
    expect(quickstartOverrides(base, {})).toEqual(base);
  });
  it("scales warmup with max_steps, saves on eval steps, logs at least once per eval", () => {
    expect(quickstartOverrides(base, { maxSteps: 4, evalSteps: 2 })).toMatchObject({ max_steps: 4, warmup_steps: 0, eval_steps: 2, save_steps: 2, logging_steps: 2 });
    expect(quickstartOverrides(base, { maxSteps: 100 })).toMatchObject({ max_steps: 100, warmup_steps: 10, eval_steps: 50 });
    expect(quickstartOverrides(base, { model: "t5-base", backend: "cpu", maxTrainSamples: 8, maxEvalSamples: 4, maxPredictSamples: 2 })).toMatchObject({
      model_name_or_path: "t5-base", backend: "cpu", max_train_samples: 8, max_eval_samples: 4, max_predict_samples: 2,
    });
  });
});

describe("dept quickstart with the fake train command", () => {
  const saved = process.env[TRAIN_CMD_ENV];
  beforeEach(() => {
    process.env[TRAIN_CMD_ENV] = FAKE_TRAIN;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env[TRAIN_CMD_ENV];
    else process.env[TRAIN_CMD_ENV] = saved;
  });

  it("says the model is tiny and random, shows the real flag, runs the recipe's one run, prints the report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dept-qs-fake-"));
    const c = capture();
    expect(await main(["quickstart", "--output_dir", dir, "--max_steps", "3"], c.io)).toBe(0);
    const out = c.out.join("\n");
    expect(out).toContain("TINY and RANDOM");
    expect(out).toContain(`pnpm dept quickstart ${REAL_MODEL_FLAG}`);
    expect(out).toContain("Released reference numbers: none for amazon-sentiment");
    expect(out).toContain("## Best run per task");
    // fake-train.mjs: loss 2/step, eval_loss 1/step, eval_accuracy = score - (steps - step), score from the LRs.
    const { base } = JSON.parse(readFileSync(join(PACKAGE, "recipes/quickstart.json"), "utf8")) as { base: { learning_rate: number; lora_embedding_lr: number } };
    const score = 50 + 100 * base.learning_rate + 1000 * base.lora_embedding_lr;
    expect(out).toContain(
      `What it learned: training loss 2.000 (step 1) -> 0.667 (step 3); validation loss 1.000 (step 1) -> 0.333 (step 3); validation accuracy ${(score - 2).toFixed(2)} (step 1) -> ${score.toFixed(2)} (step 3).`,
    );
    // The fake train writes eval_accuracy; the custom task's task.json names accuracy as its metric.
    expect(out).toMatch(/\| amazon-sentiment \| amazon-sentiment \| DePT \|.*accuracy/);
    const runDir = join(dir, "amazon-sentiment");
    const config = JSON.parse(readFileSync(join(runDir, "dept-run-config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ task_name: "amazon-sentiment", max_steps: 3, model_name_or_path: `${MODEL}/`, output_dir: runDir });
    expect(existsSync(join(dir, "report", "report.md"))).toBe(true);

    // Same settings again: the finished run is reported, not retrained.
    const again = capture();
    expect(await main(["quickstart", "--output_dir", dir, "--max_steps", "3"], again.io)).toBe(0);
    expect(again.out.join("\n")).toContain("already holds this finished run");
    expect(readFileSync(join(runDir, "invocations.jsonl"), "utf8").trim().split("\n")).toHaveLength(1);

    // Other settings into the same dir: refused (exit 2), naming the flags, instead of reporting the old run.
    const other = capture();
    expect(await main(["quickstart", "--output_dir", dir, "--max_steps", "5", "--model_name_or_path", "t5-base"], other.io)).toBe(2);
    expect(other.err.join("\n")).toContain("holds a run made with other settings (max_steps, model_name_or_path)");
  });

  it("with --model_name_or_path: no tiny-model warning; bad values exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dept-qs-fake-"));
    const c = capture();
    expect(await main(["quickstart", "--output_dir", dir, "--model_name_or_path", "t5-base", "--max_steps", "2"], c.io)).toBe(0);
    expect(c.out.join("\n")).not.toContain("TINY and RANDOM");
    expect(c.out.join("\n")).toContain("model t5-base (given with --model_name_or_path)");
    const bad = capture();
    expect(await main(["quickstart", "--output_dir", dir, "--max_steps", "0"], bad.io)).toBe(2);
    expect(bad.err.join("\n")).toContain("--max_steps expects a positive whole number, got 0");
    const backend = capture();
    expect(await main(["quickstart", "--output_dir", dir, "--backend", "tpu"], backend.io)).toBe(2);
    expect(backend.err.join("\n")).toContain("backend");
  });

  it("a failed training run exits 1 and names its log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dept-qs-fake-"));
    process.env.FAKE_TRAIN_FAIL = "amazon-sentiment";
    try {
      const c = capture();
      expect(await main(["quickstart", "--output_dir", dir, "--max_steps", "2"], c.io)).toBe(1);
      expect(c.err.join("\n")).toContain(`its log: ${join(dir, "amazon-sentiment", "train.log")}`);
    } finally {
      delete process.env.FAKE_TRAIN_FAIL;
    }
  });
});

describe("dept quickstart end to end (real dept train, subprocess)", () => {
  it("trains DePT on the embedded data with the embedded tiny model, writes the HF files, prints the table", () => {
    const dir = mkdtempSync(join(tmpdir(), "dept-qs-e2e-"));
    const env = { ...process.env };
    delete env[TRAIN_CMD_ENV];
    const result = spawnSync(
      process.execPath,
      [
        "--import", "tsx", CLI, "quickstart", "--output_dir", dir, "--max_steps", "4", "--eval_steps", "2",
        "--max_train_samples", "32", "--max_eval_samples", "16", "--max_predict_samples", "16",
      ],
      { cwd: PACKAGE, env, encoding: "utf8", timeout: 90_000 },
    );
    expect(result.stderr).not.toMatch(/Error:/);
    expect(result.status).toBe(0);
    const runDir = join(dir, "amazon-sentiment");
    for (const file of ["trainer_state.json", "all_results.json", "eval_results.json", "test_results.json", "adapter_config.json", "adapter_model.safetensors", "train.log"]) {
      expect(existsSync(join(runDir, file)), file).toBe(true);
    }
    expect(readdirSync(runDir).filter((n) => n.startsWith("checkpoint-")).length).toBeGreaterThan(0);
    const state = JSON.parse(readFileSync(join(runDir, "trainer_state.json"), "utf8")) as { global_step: number; log_history: Record<string, number>[] };
    expect(state.global_step).toBe(4);
    expect(state.log_history.filter((e) => "eval_accuracy" in e).map((e) => e.step)).toEqual([2, 4]);
    const all = JSON.parse(readFileSync(join(runDir, "all_results.json"), "utf8")) as Record<string, number>;
    expect(all.eval_samples ?? 16).toBe(16);
    expect(typeof all.eval_accuracy).toBe("number");
    expect(typeof all.test_accuracy).toBe("number");
    const adapter = JSON.parse(readFileSync(join(runDir, "adapter_config.json"), "utf8")) as Record<string, unknown>;
    expect(adapter).toMatchObject({ peft_type: "PROMPT_TUNING_LORA", task_type: "SEQ_2_SEQ_LM" });
    expect(result.stdout).toContain("TINY and RANDOM");
    expect(result.stdout).toContain(REAL_MODEL_FLAG);
    // The table row of the run: task, method, m/r from the recipe, steps 4, the test accuracy as the trainer wrote it.
    const row = result.stdout.split("\n").find((l) => l.startsWith("| amazon-sentiment | amazon-sentiment | DePT |"));
    expect(row).toBeDefined();
    expect(row).toContain(" 4 |");
    expect(existsSync(join(dir, "report", "report.md"))).toBe(true);
  }, 120_000);
});
