// `dept train` on a decoder-only model: the CLI routes a Llama folder (tiny random Llama built at test time by
// @dept/trainer's test helper, real Llama-2 tokenizer) through DePT training with generation-based evaluation, and
// writes a CAUSAL_LM adapter plus one prediction line per validation example.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { buildTinyLlama } from "../../trainer/test/helpers/tiny-llama.ts";

const RTE_DATA = fileURLToPath(new URL("../../trainer/test/fixtures/f_dept_train/data/", import.meta.url));
let llamaDir = "";

beforeAll(async () => {
  llamaDir = await buildTinyLlama(99);
});

describe("dept train (decoder-only Llama, in-process)", () => {
  it("trains DePT for 3 steps with eval every 2 steps, then evaluates: CAUSAL_LM adapter, finite losses, predictions per example", async () => {
    const out = await mkdtemp(join(tmpdir(), "dept-train-llama-cli-"));
    const stdout: string[] = [];
    const err: string[] = [];
    const io = { stdout: (l: string) => stdout.push(l), stderr: (l: string) => err.push(l) };
    const flags = [
      "train",
      "--model_name_or_path", llamaDir,
      "--task_name", "rte",
      "--data_dir", RTE_DATA,
      "--output_dir", out,
      "--peft_type", "PROMPT_TUNING_LORA",
      "--prefix_length", "4",
      "--r", "2",
      "--max_seq_length", "48",
      "--learning_rate", "3e-1",
      "--lora_embedding_lr", "5e-2",
      "--max_steps", "3",
      "--per_device_train_batch_size", "4",
      "--per_device_eval_batch_size", "4",
      "--logging_steps", "1",
      "--eval_strategy", "steps",
      "--eval_steps", "2",
      "--save_strategy", "no",
      "--generation_max_length", "3",
      "--do_train",
      "--do_eval",
    ];
    expect(await main(flags, io), err.join("\n")).toBe(0);
    const summary = JSON.parse(stdout[0]!) as { global_step: number; train: Record<string, number>; eval: Record<string, number> };
    expect(summary.global_step).toBe(3);
    expect(Number.isFinite(summary.train.train_loss)).toBe(true);
    expect(Number.isFinite(summary.eval.eval_loss)).toBe(true);
    expect(summary.eval.eval_accuracy).toBeGreaterThanOrEqual(0);
    const config = JSON.parse(await readFile(join(out, "adapter_config.json"), "utf8")) as { task_type: string; peft_type: string };
    expect(config.task_type).toBe("CAUSAL_LM");
    expect(config.peft_type).toBe("PROMPT_TUNING_LORA");
    const preds = (await readFile(join(out, "eval_predictions.txt"), "utf8")).split("\n").slice(0, -1);
    expect(preds).toHaveLength(4); // RTE "small" split policy: the 8-row validation file's first half
  }, 60_000);
});
