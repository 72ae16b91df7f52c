// Decoder-only end to end: train() (what `dept train` runs) on a tiny RANDOM Llama built in a temp dir at test
// time (config.json + seeded model.safetensors with the HF key names of @dept/models' Llama map, plus the real
// Llama-2 tokenizer copied from @dept/models' fixtures), for DePT, prompt tuning and LoRA: spec §1 (decoder-only
// Llama) and §4 (decoder-only preprocessing: "{source} Label : ", left padding to s, eval on left-padded prompts,
// predictions = the generated continuation). Nothing big is committed: the model is ~1 MB of seeded weights.
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { collateDecoderOnly, loadTaskExamples } from "@dept/datasets";
import { disposeModel, loadModel, Tokenizer } from "@dept/models";
import { getPeftModel, loadAdapter, promptTuningLoRAConfig, readAdapterConfig, savePretrained } from "@dept/peft";
import { readSafetensors } from "@dept/runtime";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveTrainingArguments, train, TRAIN_LOG_FILE, type TrainingArguments } from "../src/index.ts";
import { predictionLine } from "../src/train.ts";
import { useTestBackend } from "./helpers/backend.ts";
import { buildTinyLlama } from "./helpers/tiny-llama.ts";

const RTE_DATA = fileURLToPath(new URL("./fixtures/f_dept_train/data/", import.meta.url));

const S = 48; // max_seq_length: the RTE fixture's prompts are ~30-45 Llama tokens

let llamaDir = "";

beforeAll(async () => {
  await useTestBackend();
  llamaDir = await buildTinyLlama(1234);
});

async function llamaArgs(peftType: "PROMPT_TUNING_LORA" | "PROMPT_TUNING" | "LORA", over: Record<string, unknown> = {}): Promise<TrainingArguments> {
  return resolveTrainingArguments({
    model_name_or_path: llamaDir,
    task_name: "rte",
    data_dir: RTE_DATA,
    output_dir: await mkdtemp(join(tmpdir(), `dept-llama-train-${peftType}-`)),
    peft_type: peftType,
    max_seq_length: S,
    prefix_length: 4,
    r: 2,
    learning_rate: peftType === "LORA" ? 5e-2 : 3e-1,
    lora_embedding_lr: 5e-2,
    warmup_steps: 0,
    max_steps: 4,
    per_device_train_batch_size: 8,
    per_device_eval_batch_size: 4,
    logging_steps: 1,
    eval_strategy: "steps",
    eval_steps: 2,
    save_strategy: "no",
    shuffle_train: false,
    generation_max_length: 3,
    do_train: true,
    do_eval: true,
    backend: "wasm",
    ...over,
  });
}

interface StepRecord {
  type: string;
  step: number;
  loss: number;
}

function stepLosses(outputDir: string): number[] {
  const text = readFileSync(join(outputDir, TRAIN_LOG_FILE), "utf8");
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as StepRecord)
    .filter((r) => r.type === "step")
    .map((r) => r.loss);
}

const quiet = { write: () => undefined, isTTY: false };

describe("train() on a decoder-only (Llama) model", () => {
  it("the fixture's prompts fit s, so training batches keep their labels (left padding, -100 over the prompt)", async () => {
    const tokenizer = await Tokenizer.fromDir(llamaDir);
    const examples = await loadTaskExamples("rte", "train", { dataDir: RTE_DATA });
    const c = collateDecoderOnly(examples, tokenizer, { maxSeqLength: S, train: true });
    for (let i = 0; i < examples.length; i++) {
      expect(c.attentionMask[i]![0]).toBe(0); // left-padded, not cut
      expect(c.inputIds[i]!.at(-1)).toBe(tokenizer.eosTokenId); // ... + tok(target) + [pad == eos]
      expect(c.labels[i]!.filter((t) => t !== -100).length).toBeGreaterThan(1);
    }
  });

  it("writes a multi-line generation as one escaped predictions line", () => {
    expect(predictionLine("1")).toBe("1");
    expect(predictionLine("1\n\nsentence1: a\\b\r")).toBe("1\\n\\nsentence1: a\\\\b\\r");
  });

  for (const peftType of ["PROMPT_TUNING_LORA", "PROMPT_TUNING", "LORA"] as const) {
    it(`${peftType}: trains (finite, falling loss on a fixed batch), evaluates by generation, saves a CAUSAL_LM adapter`, async () => {
      const before = tf.memory().numTensors;
      // DePT also predicts on the test split (RTE: the second half of the validation file).
      const args = await llamaArgs(peftType, { do_predict: peftType === "PROMPT_TUNING_LORA" });
      const r = await train(args, quiet);
      // Every tensor of the run (model, adapter, optimizer state, batches) is released.
      expect(tf.memory().numTensors).toBe(before);
      const losses = stepLosses(args.output_dir);
      expect(losses).toHaveLength(4);
      for (const l of losses) expect(Number.isFinite(l)).toBe(true);
      // shuffle off and batch = the whole (8-example) train set: every step sees the same batch.
      expect(losses[3]!).toBeLessThan(losses[0]!);
      // Evaluated during training (steps 2 and 4) and at the end, with the task's metric.
      expect(r.loop!.state.log_history.filter((h) => "eval_loss" in h)).toHaveLength(2);
      expect(r.results.eval!.eval_accuracy).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(r.results.eval!.eval_loss)).toBe(true);
      const preds = readFileSync(join(args.output_dir, "eval_predictions.txt"), "utf8");
      expect(preds.split("\n").slice(0, -1)).toHaveLength((await loadTaskExamples("rte", "validation", { dataDir: RTE_DATA })).length);
      if (peftType === "PROMPT_TUNING_LORA") {
        const testPreds = readFileSync(join(args.output_dir, "test_predictions.txt"), "utf8");
        expect(testPreds.split("\n").slice(0, -1)).toHaveLength((await loadTaskExamples("rte", "test", { dataDir: RTE_DATA })).length);
        expect(Number.isFinite(r.results.test!.test_loss)).toBe(true);
      }
      const cfg = await readAdapterConfig(args.output_dir);
      expect(cfg.taskType).toBe("CAUSAL_LM");
      expect(cfg.peftType).toBe(peftType);
      // Only the adapter is saved (no frozen weight); LoRA targets Llama's q_proj/v_proj (peft's default for llama).
      const keys = [...(await readSafetensors(join(args.output_dir, "adapter_model.safetensors"))).tensors.keys()].sort();
      const expected = {
        PROMPT_TUNING_LORA: ["prompt_embeddings", "prompt_encoder.lora_embedding_A", "prompt_encoder.lora_embedding_B"],
        PROMPT_TUNING: ["prompt_embeddings"],
        LORA: [0, 1].flatMap((i) => ["q", "v"].flatMap((p) => ["A", "B"].map((ab) => `base_model.model.model.layers.${i}.self_attn.${p}_proj.lora_${ab}.weight`))).sort(),
      }[peftType];
      expect(keys).toEqual(expected);
    }, 60_000);
  }

  it("the saved DePT adapter reloads to the same logits; training changed it from its seeded init", async () => {
    const args = await llamaArgs("PROMPT_TUNING_LORA", { max_steps: 2, eval_strategy: "no", do_eval: false });
    await train(args, quiet);
    const model = await loadModel(llamaDir);
    const tokenizer = await Tokenizer.fromDir(llamaDir);
    const examples = await loadTaskExamples("rte", "validation", { dataDir: RTE_DATA, limit: 3 });
    const c = collateDecoderOnly(examples, tokenizer, { maxSeqLength: S, train: true });
    const before = tf.memory().numTensors;
    const logitsOf = async (dir: string | null): Promise<Float32Array> => {
      const pm =
        dir === null
          ? // The adapter train() starts from: text init of P (train.py default), A/B seeded by --seed.
            getPeftModel(
              model,
              promptTuningLoRAConfig({ taskType: "CAUSAL_LM", numVirtualTokens: 4, r: 2, loraAlpha: args.lora_alpha, maxLength: S, promptTuningInit: "TEXT", promptTuningInitText: args.prompt_tuning_init_text }),
              { seed: args.seed, tokenizer },
            )
          : await loadAdapter(model, dir, { seed: args.seed });
      try {
        const logits = tf.tidy(() => {
          const batch = { inputIds: tf.tensor2d(c.inputIds, undefined, "int32"), attentionMask: tf.tensor2d(c.attentionMask, undefined, "int32") };
          return pm.forward(batch, { training: false }).logits;
        });
        const data = logits.dataSync() as Float32Array;
        logits.dispose();
        return data;
      } finally {
        // Round trip: save what was loaded, to compare a re-saved adapter too.
        if (dir !== null) await savePretrained(pm, join(dir, "resaved"));
        pm.dispose();
      }
    };
    const trained = await logitsOf(args.output_dir);
    const resaved = await logitsOf(join(args.output_dir, "resaved"));
    const init = await logitsOf(null);
    // Plain loops: vitest's deep equality on 5M-element arrays takes tens of seconds.
    expect(resaved.length).toBe(trained.length);
    let resavedMismatches = 0;
    let maxDiff = 0;
    for (let i = 0; i < trained.length; i++) {
      if (!Object.is(resaved[i], trained[i])) resavedMismatches += 1;
      maxDiff = Math.max(maxDiff, Math.abs(init[i]! - trained[i]!));
    }
    expect(resavedMismatches).toBe(0);
    expect(maxDiff).toBeGreaterThan(1e-6);
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  }, 60_000);
});
