// Custom tasks (@dept/datasets task.json, e.g. the quickstart's amazon-sentiment): the best-model metric and its
// direction come from the task's declared metrics; an undeclared metric name fails fast naming the task.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveTrainingArguments, TrainerConfigError } from "../src/index.ts";
import { loopConfigFromArgs } from "../src/train.ts";

function customTaskDir(metrics: string[] | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "dept-custom-task-"));
  const task = { name: "tiny-sentiment", source: "sentence: {sentence}", target: "{label}", labels: ["0", "1"], ...(metrics ? { metrics } : {}) };
  writeFileSync(join(dir, "task.json"), JSON.stringify(task));
  return dir;
}

const args = (dataDir: string) =>
  resolveTrainingArguments({ model_name_or_path: "m", task_name: "tiny-sentiment", data_dir: dataDir, output_dir: "/o", max_steps: 2, r: 2, do_train: true });

describe("custom tasks in the loop config", () => {
  it("selects the best model by the task's first declared metric, greater is better", () => {
    const cfg = loopConfigFromArgs(args(customTaskDir(["accuracy", "f1"])));
    expect(cfg.metricForBestModel).toBe("accuracy");
    expect(cfg.greaterIsBetter).toBe(true);
  });
  it("falls back to the eval loss (lower is better) when the task declares no metric", () => {
    const cfg = loopConfigFromArgs(args(customTaskDir(undefined)));
    expect(cfg.metricForBestModel).toBe("loss");
    expect(cfg.greaterIsBetter).toBe(false);
  });
  it("refuses a metric it cannot compute", () => {
    expect(() => loopConfigFromArgs(args(customTaskDir(["bleu"])))).toThrow(TrainerConfigError);
    expect(() => loopConfigFromArgs(args(customTaskDir(["bleu"])))).toThrow("--task_name tiny-sentiment: metric 'bleu' of the custom task is not one of accuracy, f1");
  });
});
