// TrainingArguments: defaults, aliases, validation messages, JSON config files.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readTrainingArgumentsFile, resolveTrainingArguments, TrainerConfigError, TRAIN_ARGS } from "../src/index.ts";

const base = { model_name_or_path: "t5-base", task_name: "rte", output_dir: "out", max_steps: 10, r: 30, do_train: true };

describe("resolveTrainingArguments", () => {
  it("fills defaults (reference values where train.py sets them) and resolves aliases", () => {
    const a = resolveTrainingArguments({ ...base, evaluation_strategy: "steps", k_shot_examples: 16 });
    expect(a.eval_strategy).toBe("steps");
    expect(a.k_shot_example).toBe(16);
    expect(a.optim).toBe("adamw_hf");
    expect(a.seed).toBe(42);
    expect(a.lora_alpha).toBe(8);
    expect(a.max_grad_norm).toBe(1);
    expect(a.greater_is_better).toBe(true);
    expect(a.prompt_tuning_init_text).toBe("Classify this text is postive or not:");
    expect(a.lora_embedding_lr).toBeNull();
  });

  it("rejects unknown keys, wrong types, bad choices and missing requirements, naming the option", () => {
    const bad = (raw: Record<string, unknown>, re: RegExp) => {
      expect(() => resolveTrainingArguments(raw, "cfg.json")).toThrow(TrainerConfigError);
      expect(() => resolveTrainingArguments(raw, "cfg.json")).toThrow(re);
    };
    bad({ ...base, lerning_rate: 0.3 }, /cfg\.json: unknown option 'lerning_rate'/);
    bad({ ...base, max_steps: "10" }, /--max_steps expects a number, got "10"/);
    bad({ ...base, max_steps: 2.5 }, /--max_steps expects an integer, got 2\.5/);
    bad({ ...base, optim: "sgd" }, /--optim must be one of adamw_hf, adamw_torch, got 'sgd'/);
    bad({ ...base, eval_strategy: "sometimes" }, /--eval_strategy must be one of no, steps, epoch/);
    bad({ ...base, r: undefined }, /--r \(a positive integer\) is required for --peft_type PROMPT_TUNING_LORA/);
    bad({ ...base, max_steps: 0 }, /--max_steps must be > 0/);
    bad({ ...base, learning_rate: -1 }, /--learning_rate must be >= 0/);
    bad({ ...base, do_train: false }, /nothing to do/);
    const { task_name: _t, ...noTask } = base;
    bad(noTask, /missing required option --task_name/);
  });

  it("every option of the seed README command exists", () => {
    const names = new Set(TRAIN_ARGS.flatMap((s) => [s.name, ...(s.aliases ?? [])]));
    const seed = [
      "peft_type", "lora_embedding_lr", "learning_rate", "prefix_length", "r", "task_name", "dataset_config_name", "model_name_or_path",
      "do_train", "do_eval", "do_predict", "per_device_train_batch_size", "per_device_eval_batch_size", "max_seq_length", "save_strategy",
      "evaluation_strategy", "max_steps", "eval_steps", "save_steps", "warmup_steps", "weight_decay", "load_best_model_at_end",
      "save_total_limit", "output_dir", "peft_model_id", "k_shot_examples",
    ];
    for (const s of seed) expect(names.has(s), s).toBe(true);
  });
});

describe("readTrainingArgumentsFile", () => {
  it("reads a JSON object of options and names the file on errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dept-args-"));
    const good = join(dir, "good.json");
    await writeFile(good, JSON.stringify({ ...base, learning_rate: 0.4, load_best_model_at_end: true }));
    expect((await readTrainingArgumentsFile(good)).learning_rate).toBe(0.4);
    const arr = join(dir, "arr.json");
    await writeFile(arr, "[1]");
    await expect(readTrainingArgumentsFile(arr)).rejects.toThrow(/arr\.json must hold one JSON object/);
    const broken = join(dir, "broken.json");
    await writeFile(broken, "{");
    await expect(readTrainingArgumentsFile(broken)).rejects.toThrow(/broken\.json is not valid JSON/);
    await expect(readTrainingArgumentsFile(join(dir, "none.json"))).rejects.toThrow(/cannot read config file .*none\.json: ENOENT/);
  });
});
