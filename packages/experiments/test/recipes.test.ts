import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseOptions } from "../src/args.ts";
import { main } from "../src/main.ts";
import { expandRecipe, formatNameValue, loadRecipe, matchesPattern, RecipeError, validateRecipe } from "../src/recipes/recipe.ts";
import { releasedReference } from "../src/reference/released.ts";
import { parseTrainConfig, TRAIN_CONFIG_ARGUMENT, TRAIN_FLAGS, trainConfigToArgv, TrainConfigError } from "../src/train-flags.ts";
import { capture } from "./helpers/capture.ts";

const RECIPES = fileURLToPath(new URL("../recipes/", import.meta.url));
const recipeFiles = readdirSync(RECIPES).filter((f) => f.endsWith(".json")).sort();

async function expand(name: string) {
  return expandRecipe(await loadRecipe(join(RECIPES, `${name}.json`)), { cwd: "/tmp/x" });
}

describe("shipped recipes", () => {
  it("ships one recipe per grid of the seed README and spec", () => {
    expect(recipeFiles).toEqual([
      "baseline-lora.json", "baseline-pt100.json", "few-shot.json", "glue.json", "llama2-sst2.json",
      "mrqa.json", "other-tasks.json", "quickstart.json", "released-t5-base.json", "superglue.json",
    ]);
  });

  it.each(recipeFiles)("%s validates and lists its runs with dept sweep --dry-run", async (file) => {
    const c = capture();
    const code = await main(["sweep", join(RECIPES, file), "--dry-run", "--output_root", join(tmpdir(), "dept-dry-run-none")], c.io);
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    const runs = expandRecipe(await loadRecipe(join(RECIPES, file)), { cwd: "/" });
    expect(c.out.join("\n")).toContain(`${runs.length} run(s)`);
    for (const run of runs) expect(c.out.some((l) => l.trimStart().startsWith(`${run.name} `))).toBe(true);
  });

  it("glue.json is the README loop: 8 tasks x lr {3e-1,4e-1} x lora_lr {5e-3,3e-1,5e-4}, m=40 r=45 s=256 40k steps", async () => {
    const runs = await expand("glue");
    expect(runs).toHaveLength(48);
    expect(new Set(runs.map((r) => r.config.task_name))).toEqual(new Set(["cola", "mrpc", "mnli", "qnli", "qqp", "rte", "sst2", "stsb"]));
    expect(new Set(runs.map((r) => r.config.lora_embedding_lr))).toEqual(new Set([5e-3, 3e-1, 5e-4]));
    expect(new Set(runs.map((r) => r.config.learning_rate))).toEqual(new Set([3e-1, 4e-1]));
    const first = runs[0]!;
    expect(first.name).toBe("cola_lr3e-1_loralr5e-3");
    expect(first.outputDir).toBe("/tmp/x/runs/glue_t5-base_pl40_r45_st40000/cola_lr3e-1_loralr5e-3");
    expect(first.config).toMatchObject({
      peft_type: "PROMPT_TUNING_LORA", model_name_or_path: "t5-base", prefix_length: 40, r: 45, max_seq_length: 256, max_steps: 40000,
      per_device_train_batch_size: 32, per_device_eval_batch_size: 32, eval_steps: 1000, save_steps: 1000, warmup_steps: 500,
      weight_decay: 1e-5, load_best_model_at_end: true, save_total_limit: 1, do_train: true, do_eval: true, do_predict: true,
      output_dir: first.outputDir,
    });
    expect(new Set(runs.map((r) => r.name)).size).toBe(48);
  });

  it("mrqa.json uses s=512, m=60, r=24, batch 16 x accumulation 2 (spec §3)", async () => {
    const runs = await expand("mrqa");
    expect(runs).toHaveLength(24);
    for (const run of runs) {
      expect(run.config).toMatchObject({ max_seq_length: 512, prefix_length: 60, r: 24, per_device_train_batch_size: 16, gradient_accumulation_steps: 2, per_device_eval_batch_size: 16 });
      // m*d + s*r + r*d = 76,800 = PT-100 on t5-base (spec §1)
      expect(60 * 768 + 512 * 24 + 24 * 768).toBe(100 * 768);
    }
  });

  it("llama2-sst2.json is the issue #2 setting (spec §2)", async () => {
    const runs = await expand("llama2-sst2");
    expect(runs).toHaveLength(6);
    for (const run of runs) expect(run.config).toMatchObject({ task_name: "sst2", max_seq_length: 64, max_steps: 50000, prefix_length: 40, r: 60 });
  });

  it("the baselines use PT-100 and LoRA without DePT-only flags", async () => {
    for (const run of await expand("baseline-pt100")) {
      expect(run.config).toMatchObject({ peft_type: "PROMPT_TUNING", prefix_length: 100 });
      expect(run.config.r).toBeUndefined();
      expect(run.config.lora_embedding_lr).toBeUndefined();
    }
    for (const run of await expand("baseline-lora")) expect(run.config).toMatchObject({ peft_type: "LORA", r: 1 });
  });

  it("few-shot.json sets k and the transfer init", async () => {
    const runs = await expand("few-shot");
    expect(new Set(runs.map((r) => r.config.k_shot_example))).toEqual(new Set([4, 16, 32]));
    for (const run of runs) expect(run.config.peft_model_id).toBe("runs/released-t5-base/mnli");
  });

  it("released-t5-base.json reproduces every released checkpoint's hyperparameters", async () => {
    const runs = await expand("released-t5-base");
    const reference = releasedReference();
    expect(runs.map((r) => r.name).sort()).toEqual(Object.keys(reference.tasks).sort());
    for (const run of runs) {
      const ref = reference.tasks[run.name]!;
      expect(run.config, run.name).toMatchObject({
        task_name: run.name, peft_type: ref.peft_type, prefix_length: ref.m, r: ref.r, max_seq_length: ref.max_length,
        learning_rate: ref.learning_rate, lora_embedding_lr: ref.lora_embedding_lr, max_steps: ref.max_steps,
      });
      const mrqa = ref.max_length === 512;
      expect(run.config.per_device_train_batch_size).toBe(mrqa ? 16 : 32);
      expect(run.config.gradient_accumulation_steps).toBe(mrqa ? 2 : undefined);
    }
  });
});

describe("recipe validation", () => {
  const good = {
    name: "t",
    description: "d",
    source: "s",
    base: { model_name_or_path: "t5-base", r: 4, prefix_length: 4, max_steps: 2, do_train: true },
    grid: { task_name: ["rte"], learning_rate: [0.3, 0.4] },
    output_root: "runs/t",
  };
  const bad = (patch: Record<string, unknown>) => () => validateRecipe({ ...good, ...patch }, "recipes/t.json");

  it("accepts a good recipe", () => {
    expect(validateRecipe(good, "recipes/t.json").name).toBe("t");
  });
  it("names the file and the key in every error", () => {
    expect(bad({ base: { ...good.base, learning_rat: 1 } })).toThrow("recipes/t.json: base.learning_rat: unknown train flag 'learning_rat'");
    expect(bad({ base: { ...good.base, max_steps: "10" } })).toThrow('recipes/t.json: base.max_steps: expected a number, got "10"');
    expect(bad({ base: { ...good.base, max_steps: 1.5 } })).toThrow("base.max_steps: expected a whole number, got 1.5");
    expect(bad({ grid: { task_name: ["rte", "rtee"] } })).toThrow("recipes/t.json: grid.task_name[1]: unknown task 'rtee'");
    expect(bad({ grid: { task_name: [] } })).toThrow("grid.task_name: expected a non-empty array");
    expect(bad({ grid: { task_name: ["rte"], r: [4] } })).toThrow("grid.r: also set in base");
    expect(bad({ base: { ...good.base, output_dir: "x" } })).toThrow("base.output_dir: set by dept sweep");
    expect(bad({ base: { ...good.base, evaluation_strategy: "sometimes" } })).toThrow("expected one of no, steps, epoch, got 'sometimes'");
    expect(bad({ base: { ...good.base, eval_strategy: "steps" } })).toThrow("base.eval_strategy: write the canonical flag name 'evaluation_strategy'");
    expect(bad({ name: "other" })).toThrow("recipes/t.json: 'name' is 'other' but the file is t.json");
    expect(bad({ extra: 1 })).toThrow("recipes/t.json: unknown key 'extra'");
    expect(bad({ description: "" })).toThrow("'description' must be a non-empty string");
    expect(bad({ base: { r: 4, max_steps: 2, do_train: true } })).toThrow(/missing required flag 'model_name_or_path'/);
    expect(bad({ base: { ...good.base, max_steps: undefined } })).toThrow(/base.max_steps: expected a number, got undefined/);
    expect(bad({ base: { model_name_or_path: "t5-base", r: 4, do_train: true } })).toThrow(/recipes\/t.json: run 'rte_lr3e-1': missing required flag 'max_steps'/);
    expect(bad({ base: { ...good.base, do_train: false } })).toThrow(/run 'rte_lr3e-1': nothing to do/);
    expect(bad({ base: { model_name_or_path: "t5-base", peft_type: "PROMPT_TUNING", max_steps: 2, do_eval: true }, grid: { task_name: ["rte"], lora_embedding_lr: [1e-3] } })).toThrow(
      /recipes\/t.json: run 'rte_loralr1e-3': 'lora_embedding_lr' only applies to PROMPT_TUNING_LORA/,
    );
    expect(bad({ base: { model_name_or_path: "t5-base", peft_type: "LORA", max_steps: 2, do_train: true } })).toThrow("peft_type LORA needs 'r'");
    expect(bad({ runs: [{ name: "a" }, { name: "a" }] })).toThrow(/same name as run #/);
    expect(bad({ runs: [{ learning_rate: 0.3 }] })).toThrow("runs[0].learning_rate: also a grid key");
  });
  it("reports unreadable and malformed files by name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dept-recipe-"));
    writeFileSync(join(dir, "broken.json"), "{ nope");
    await expect(loadRecipe(join(dir, "broken.json"))).rejects.toThrow(`${join(dir, "broken.json")}: not valid JSON`);
    await expect(loadRecipe(join(dir, "missing.json"))).rejects.toThrow(RecipeError);
    const c = capture();
    expect(await main(["sweep", join(dir, "broken.json"), "--dry-run"], c.io)).toBe(2);
    expect(c.err[0]).toContain("broken.json: not valid JSON");
    expect(c.out).toEqual([]);
  });
  it("expands runs entries x grid points, names from the varying values", () => {
    const recipe = validateRecipe(
      { ...good, grid: { learning_rate: [0.3, 0.4] }, runs: [{ name: "a", note: "n", task_name: "rte" }, { task_name: "cola", seed: 7 }] },
      "recipes/t.json",
    );
    const runs = expandRecipe(recipe, { cwd: "/w", outputRoot: "out" });
    expect(runs.map((r) => r.name)).toEqual(["a_lr3e-1", "a_lr4e-1", "cola_seed7_lr3e-1", "cola_seed7_lr4e-1"]);
    expect(runs[2]!.outputDir).toBe("/w/out/cola_seed7_lr3e-1");
    expect(runs[2]!.config).toMatchObject({ task_name: "cola", seed: 7, learning_rate: 0.3, r: 4, output_dir: "/w/out/cola_seed7_lr3e-1" });
  });
});

describe("embedded resources and custom tasks (quickstart.json)", () => {
  const DATA = fileURLToPath(new URL("../../datasets/data/amazon-sentiment/", import.meta.url));
  const MODEL = fileURLToPath(new URL("../assets/t5-tiny-random/", import.meta.url));
  const custom = {
    name: "t",
    description: "d",
    source: "s",
    base: { model_name_or_path: "embedded:t5-tiny-random", data_dir: "embedded:amazon-sentiment", task_name: "amazon-sentiment", r: 2, max_steps: 2, do_train: true },
    output_root: "runs/t",
  };
  const bad = (patch: Record<string, unknown>) => () => validateRecipe({ ...custom, ...patch }, "recipes/t.json", "/");
  const { data_dir: _unused, ...noDataDir } = custom.base;

  it("quickstart.json: one DePT run on the amazon-sentiment custom task with the embedded tiny model, paths resolved", async () => {
    const runs = await expand("quickstart");
    expect(runs.map((r) => r.name)).toEqual(["amazon-sentiment"]);
    const config = runs[0]!.config;
    expect(config).toMatchObject({ task_name: "amazon-sentiment", peft_type: "PROMPT_TUNING_LORA", do_train: true, do_eval: true, do_predict: true, output_dir: "/tmp/x/runs/quickstart/amazon-sentiment" });
    // embedded:<name> becomes the folder in this checkout, wherever dept sweep runs.
    expect(join(String(config.model_name_or_path), "/")).toBe(MODEL);
    expect(join(String(config.data_dir), "/")).toBe(DATA);
    expect(readdirSync(MODEL).sort()).toEqual(["README.md", "config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"]);
  });
  it("accepts a custom task only when its data_dir declares it", () => {
    expect(validateRecipe(custom, "recipes/t.json", "/").name).toBe("t");
    expect(bad({ base: noDataDir })).toThrow(
      "recipes/t.json: base.task_name: unknown task 'amazon-sentiment' (expected one of cola, mrpc",
    );
    // Declared by a grid data_dir, but the run that pairs it with another data dir is refused.
    expect(
      bad({ base: noDataDir, grid: { data_dir: ["embedded:amazon-sentiment", "/nonexistent"] } }),
    ).toThrow("recipes/t.json: run 'data_dir-nonexistent': task 'amazon-sentiment' is not a seed README task, so its data_dir must hold a task.json declaring it (data_dir /nonexistent has no readable task.json)");
    // A relative data_dir is looked up from the cwd given (dept sweep's).
    const root = fileURLToPath(new URL("../../datasets/", import.meta.url));
    expect(validateRecipe({ ...custom, base: { ...custom.base, data_dir: "data/amazon-sentiment" } }, "recipes/t.json", root).name).toBe("t");
  });
  it("names unknown or misplaced embedded resources", () => {
    expect(bad({ base: { ...custom.base, model_name_or_path: "embedded:t5-huge" } })).toThrow(
      "recipes/t.json: run 't': model_name_or_path 'embedded:t5-huge': no embedded model of that name (expected embedded:t5-tiny-random)",
    );
    expect(bad({ base: { ...custom.base, model_name_or_path: "embedded:amazon-sentiment" } })).toThrow("no embedded model of that name");
    expect(bad({ base: { ...custom.base, data_dir: "embedded:t5-tiny-random" } })).toThrow("base.task_name: unknown task 'amazon-sentiment'");
  });
});

describe("helpers", () => {
  it("formats name values like the seed README's output dirs", () => {
    expect([0.3, 0.4, 5e-3, 5e-4, 1e-4, 1.5e-4, 40000, true].map(formatNameValue)).toEqual(["3e-1", "4e-1", "5e-3", "5e-4", "1e-4", "1.5e-4", "40000", "true"]);
    expect(formatNameValue("meta/Llama 2")).toBe("meta-Llama-2");
  });
  it("matches --only patterns", () => {
    expect(matchesPattern("cola_lr3e-1_loralr5e-3", "cola")).toBe(true);
    expect(matchesPattern("cola_lr3e-1_loralr5e-3", "cola_*5e-3")).toBe(true);
    expect(matchesPattern("cola_lr3e-1_loralr5e-3", "cola_*5e-4")).toBe(false);
    expect(matchesPattern("rte_lr3e-1", "cola,rte")).toBe(true);
    expect(matchesPattern("rte_lr3e-1", "r?e_*")).toBe(true);
    expect(matchesPattern("xrte_lr3e-1", "r?e_*")).toBe(false);
  });
});

describe("train flags", () => {
  it("maps aliases to canonical names and checks types", () => {
    expect(parseTrainConfig({ k_shot_examples: 16, eval_strategy: "steps" }, "c.json")).toEqual({ k_shot_example: 16, evaluation_strategy: "steps" });
    expect(() => parseTrainConfig({ nope: 1 }, "c.json")).toThrow("c.json: unknown train flag 'nope'");
    expect(() => parseTrainConfig({ k_shot_example: 1, k_shot_examples: 2 }, "c.json")).toThrow(TrainConfigError);
    expect(() => parseTrainConfig([], "c.json")).toThrow("expected a JSON object");
  });
  it("round-trips a config through argv and the CLI option parser", () => {
    const config = { model_name_or_path: "t5-base", task_name: "rte", learning_rate: 0.3, do_train: true, load_best_model_at_end: false, max_steps: 10, output_dir: "/o" };
    const parsed = parseOptions(trainConfigToArgv(config), [...TRAIN_FLAGS, TRAIN_CONFIG_ARGUMENT], "train");
    expect(parsed).toMatchObject(config);
    expect(parsed.seed).toBe(42); // defaults filled by the parser
  });
  it("gives every flag help text and a source, and unique names", () => {
    const names = TRAIN_FLAGS.flatMap((f) => [f.name, ...(f.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
    for (const f of TRAIN_FLAGS) {
      expect(f.help.length, f.name).toBeGreaterThan(3);
      expect(f.source.length, f.name).toBeGreaterThan(3);
      if (f.default !== undefined) expect(f.type).toBe(typeof f.default);
    }
  });
});
