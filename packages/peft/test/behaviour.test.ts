// Method behaviour beyond the golden table: DePT input-length rule, TEXT/seeded init, LoRA merge/unmerge,
// generation, released adapters, and clear errors for corrupt or mismatched adapter folders.
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeModel, embeddingTable, namedLinears, t5Forward, Tokenizer, type LoadedModel } from "@dept/models";
import { readSafetensors, writeSafetensors } from "@dept/runtime";
import {
  AdapterLoadError,
  DEPT_INIT_TEXT,
  type DeptModel,
  formatTrainableParameters,
  trainableParametersLine,
  getPeftModel,
  loadAdapter,
  type LoraModel,
  loraConfig,
  PeftConfigError,
  PeftUsageError,
  promptTuningConfig,
  promptTuningLoRAConfig,
  savePretrained,
  tileInitTokenIds,
  TorchPickleError,
} from "../src/index.ts";
import { FIXTURES, loadCase, loadFixtureModel, MODEL_FIXTURES, syntheticT5, T5_TOKENIZER_DIR, useTestBackend } from "./helpers.ts";

const GOLDEN = join(FIXTURES, "golden");

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "dept-peft-"));
}

/** Copies an adapter folder, optionally rewriting its config / tensors. */
type F32T = { dtype: "F32"; shape: number[]; data: Float32Array };
interface Edit {
  config?: (c: Record<string, unknown>) => void;
  tensors?: (t: Map<string, F32T>) => void;
}

async function editedAdapter(src: string, edit: Edit): Promise<string> {
  const dir = await tempDir();
  const config = JSON.parse(await readFile(join(src, "adapter_config.json"), "utf8")) as Record<string, unknown>;
  edit.config?.(config);
  await writeFile(join(dir, "adapter_config.json"), JSON.stringify(config));
  const st = await readSafetensors(join(src, "adapter_model.safetensors"));
  const tensors = st.tensors as unknown as Map<string, F32T>;
  edit.tensors?.(tensors);
  await writeSafetensors(join(dir, "adapter_model.safetensors"), tensors, { format: "pt" });
  return dir;
}

describe("DePT (PROMPT_TUNING_LORA)", () => {
  let t5: LoadedModel;
  let llama: LoadedModel;
  beforeAll(async () => {
    await useTestBackend();
    t5 = await loadFixtureModel("t5-tiny");
    llama = await loadFixtureModel("llama-tiny");
  });
  afterAll(() => {
    disposeModel(t5);
    disposeModel(llama);
  });

  it("inputs must be exactly max_length long (no broadcast accident)", async () => {
    const pm = await loadAdapter(t5, join(GOLDEN, "t5-tiny", "c_dept", "adapter"));
    for (const len of [19, 21]) {
      const ids = tf.zeros<tf.Rank.R2>([2, len], "int32");
      const mask = tf.ones<tf.Rank.R2>([2, len], "int32");
      expect(() => pm.forward({ inputIds: ids, attentionMask: mask })).toThrow(PeftUsageError);
      expect(() => pm.forward({ inputIds: ids, attentionMask: mask })).toThrow(`DePT: inputIds have length ${len}; expected exactly max_length = 20`);
      await expect(pm.generate({ inputIds: ids, attentionMask: mask }, { maxNewTokens: 2 })).rejects.toThrow(/expected exactly max_length = 20/);
      tf.dispose([ids, mask]);
    }
    pm.dispose();
  });

  it("builds inputs_embeds = [P; E + scaling*A@B] and the extended mask as the golden", async () => {
    for (const name of ["t5-tiny", "llama-tiny"] as const) {
      const gc = await loadCase(name, "c_dept");
      const pm = (await loadAdapter(name === "t5-tiny" ? t5 : llama, join(GOLDEN, name, "c_dept", "adapter"))) as DeptModel;
      expect(pm.scaling).toBe(4); // 8 / sqrt(4)
      const ids = gc.int2d("input_ids");
      const mask = gc.int2d("attention_mask");
      const [x, m] = tf.tidy(() => {
        const [e, em] = pm.buildInputs({ inputIds: ids, attentionMask: mask });
        return [e.dataSync().slice(), em.dataSync().slice()];
      });
      expect(Array.from(m)).toEqual(Array.from(gc.get("extended_attention_mask").data));
      const ref = gc.get("inputs_embeds").data;
      let max = 0;
      for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(x[i]! - ref[i]!));
      expect(max).toBeLessThanOrEqual(1e-5);
      tf.dispose([ids, mask]);
      pm.dispose();
    }
  });

  it("TEXT init: ids tiled to m, P = the vocabulary rows (golden g_dept_text_init), A ~ U(+-1/sqrt r), B = 0", async () => {
    const gc = await loadCase("t5-tiny", "g_dept_text_init");
    // The real T5 tokenizer (t5-base files of the fixture model) must give the golden ids, EOS included.
    const tokenizer = await Tokenizer.fromDir(T5_TOKENIZER_DIR);
    expect(tokenizer.encode(DEPT_INIT_TEXT)).toEqual(Array.from(gc.get("init_text_token_ids").data));
    expect(tileInitTokenIds(tokenizer.encode(DEPT_INIT_TEXT), 14)).toEqual(Array.from(gc.get("tiled_token_ids").data));
    const config = promptTuningLoRAConfig({
      taskType: "SEQ_2_SEQ_LM",
      numVirtualTokens: 14,
      r: 3,
      maxLength: 16,
      promptTuningInit: "TEXT",
      promptTuningInitText: DEPT_INIT_TEXT,
      tokenizerNameOrPath: "t5-tiny",
      baseModelNameOrPath: "t5-tiny",
    });
    const pm = getPeftModel(t5, config, { seed: 3, tokenizer }) as DeptModel;
    expect(Array.from(pm.prompt.dataSync())).toEqual(Array.from(gc.get("P").data));
    const a = pm.loraA.dataSync();
    expect(pm.loraA.shape).toEqual([16, 3]);
    expect(Math.max(...Array.from(a, Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(3));
    expect(new Set(a).size).toBeGreaterThan(40);
    expect(pm.loraB.dataSync().every((v) => v === 0)).toBe(true);
    // config completed from the model, then saved exactly like the fork (golden adapter_config.json)
    const dir = await tempDir();
    await savePretrained(pm, dir);
    expect(await readFile(join(dir, "adapter_config.json"), "utf8")).toBe(await readFile(join(GOLDEN, "t5-tiny", "g_dept_text_init", "adapter", "adapter_config.json"), "utf8"));
    const saved = await readSafetensors(join(dir, "adapter_model.safetensors"));
    expect(saved.metadata).toEqual({ format: "pt" });
    expect([...saved.tensors.keys()].sort()).toEqual(["prompt_embeddings", "prompt_encoder.lora_embedding_A", "prompt_encoder.lora_embedding_B"]);
    await rm(dir, { recursive: true });
    pm.dispose();
  });

  it("truncates a longer init text to m; seeds make the init reproducible", () => {
    const tokenizer = { encode: () => [5, 6, 7, 8, 9, 1] };
    const make = (seed: number) =>
      getPeftModel(t5, promptTuningLoRAConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: 4, r: 2, maxLength: 8, promptTuningInit: "TEXT", promptTuningInitText: "x" }), { seed, tokenizer }) as DeptModel;
    const [p1, p2, p3] = [make(1), make(1), make(2)];
    const rows = tf.tidy(() => tf.gather(embeddingTable(t5), tf.tensor1d([5, 6, 7, 8], "int32")).dataSync().slice());
    expect(Array.from(p1.prompt.dataSync())).toEqual(Array.from(rows));
    expect(Array.from(p1.loraA.dataSync())).toEqual(Array.from(p2.loraA.dataSync()));
    expect(Array.from(p1.loraA.dataSync())).not.toEqual(Array.from(p3.loraA.dataSync()));
    for (const p of [p1, p2, p3]) p.dispose();
  });

  it("PT: TEXT init copies the tiled vocabulary rows; RANDOM is seeded N(0, 1)", async () => {
    const tokenizer = await Tokenizer.fromDir(T5_TOKENIZER_DIR);
    const text = getPeftModel(t5, promptTuningConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: 3, promptTuningInit: "TEXT", promptTuningInitText: DEPT_INIT_TEXT }), { seed: 0, tokenizer });
    const rows = tf.tidy(() => tf.gather(embeddingTable(t5), tf.tensor1d([4501, 4921, 48], "int32")).dataSync().slice());
    expect(Array.from(text.trainable.get("prompt_embeddings")!.dataSync())).toEqual(Array.from(rows));
    const mk = (seed: number) => getPeftModel(t5, promptTuningConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: 100 }), { seed });
    const [r1, r2] = [mk(11), mk(11)];
    const v = Array.from(r1.trainable.get("prompt_embeddings")!.dataSync());
    expect(v).toEqual(Array.from(r2.trainable.get("prompt_embeddings")!.dataSync()));
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    for (const pm of [text, r1, r2]) pm.dispose();
  });

  it("TEXT init without a tokenizer is a clear error", () => {
    const config = promptTuningLoRAConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: 4, promptTuningInit: "TEXT", promptTuningInitText: DEPT_INIT_TEXT });
    expect(() => getPeftModel(t5, config, { seed: 0 })).toThrow(/needs a tokenizer/);
  });

  it("a config for the other model family is refused (task_type), as is a token_dim that is not d_model", () => {
    expect(() => getPeftModel(llama, promptTuningLoRAConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: 4 }), { seed: 0 })).toThrow(
      /task_type: got "SEQ_2_SEQ_LM"; a llama model needs "CAUSAL_LM"/,
    );
    expect(() => getPeftModel(t5, promptTuningLoRAConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: 4, tokenDim: 64 }), { seed: 0 })).toThrow(
      /token_dim: got 64; the t5 model has d_model = 32/,
    );
  });

  it("reports trainable parameters m*d + s*r + r*d in peft's words", () => {
    const pm = getPeftModel(t5, promptTuningLoRAConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: 5, r: 4, maxLength: 20 }), { seed: 0 });
    const { trainable, all } = pm.parameterCounts();
    expect(trainable).toBe(5 * 32 + 20 * 4 + 4 * 32);
    // t5-tiny: shared 32128*32 + per-layer weights (tied lm_head not counted twice)
    expect(all - trainable).toBeGreaterThan(32128 * 32);
    expect(trainableParametersLine(pm)).toBe(formatTrainableParameters(trainable, all));
    expect(formatTrainableParameters(trainable, all)).toMatch(/^trainable params: 368 \|\| all params: [\d,]+ \|\| trainable%: 0\.\d{4}$/);
    pm.dispose();
  });

  it("generation reproduces the golden DePT greedy ids (e_generate dept_*)", async () => {
    for (const name of ["t5-tiny", "t5-tiny-gated", "llama-tiny"] as const) {
      const model = name === "t5-tiny" ? t5 : name === "llama-tiny" ? llama : await loadFixtureModel(name);
      const gc = await loadCase(name, "e_generate");
      const pm = await loadAdapter(model, join(GOLDEN, name, "c_dept", "adapter"));
      const ids = gc.int2d("input_ids");
      const mask = gc.int2d("attention_mask");
      const n0 = tf.memory().numTensors;
      const out = await pm.generate({ inputIds: ids, attentionMask: mask }, { maxNewTokens: gc.json.max_new_tokens as number });
      expect(tf.memory().numTensors).toBe(n0);
      expect(out).toEqual(gc.json.dept_new_tokens_list);
      tf.dispose([ids, mask]);
      pm.dispose();
      if (model !== t5 && model !== llama) disposeModel(model);
    }
  });
});

describe("released t5-base DePT adapters (d = 768)", () => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useTestBackend();
    model = syntheticT5(768);
  });
  afterAll(() => disposeModel(model));

  it("cola loads from safetensors and from the .bin alone, identically, and runs at s = 256", async () => {
    const src = join(FIXTURES, "dept-checkpoints", "cola");
    const a = (await loadAdapter(model, src)) as DeptModel;
    expect(a.config.maxLength).toBe(256);
    expect(a.scaling).toBeCloseTo(2.0655911180, 9);
    const binOnly = await tempDir();
    await copyFile(join(src, "adapter_config.json"), join(binOnly, "adapter_config.json"));
    await copyFile(join(src, "adapter_model.bin"), join(binOnly, "adapter_model.bin"));
    const b = (await loadAdapter(model, binOnly)) as DeptModel;
    for (const [k, v] of a.trainable) expect(Buffer.from(v.dataSync().buffer).equals(Buffer.from(b.trainable.get(k)!.dataSync().buffer))).toBe(true);
    expect(a.parameterCounts().trainable).toBe(76_800);
    const ids = tf.tidy(() => tf.concat<tf.Tensor2D>([tf.fill([1, 10], 7, "int32"), tf.zeros([1, 246], "int32")], 1));
    const mask = tf.tidy(() => tf.concat<tf.Tensor2D>([tf.ones([1, 10], "int32"), tf.zeros([1, 246], "int32")], 1));
    const labels = tf.tensor2d([[3, 1]], [1, 2], "int32");
    const loss = tf.tidy(() => a.forward({ inputIds: ids, attentionMask: mask, labels }).loss!.dataSync()[0]!);
    expect(Number.isFinite(loss)).toBe(true);
    tf.dispose([ids, mask, labels]);
    a.dispose();
    b.dispose();
    await rm(binOnly, { recursive: true });
  });

  it("a prompt-only release (superglue-wic) names the missing tensors; allowPromptOnly loads P with A@B = 0", async () => {
    const src = join(FIXTURES, "dept-checkpoints", "superglue-wic");
    await expect(loadAdapter(model, src)).rejects.toThrow(AdapterLoadError);
    await expect(loadAdapter(model, src)).rejects.toThrow(
      /r = 30 but tensor\(s\) 'prompt_encoder\.lora_embedding_A' and 'prompt_encoder\.lora_embedding_B' are missing.*allowPromptOnly/,
    );
    const pm = (await loadAdapter(model, src, { allowPromptOnly: true, seed: 5 })) as DeptModel;
    expect(pm.prompt.shape).toEqual([60, 768]);
    expect(pm.loraB.dataSync().every((v) => v === 0)).toBe(true);
    const st = await readSafetensors(join(src, "adapter_model.safetensors"));
    expect(Buffer.from(pm.prompt.dataSync().buffer).equals(Buffer.from((st.tensors.get("prompt_embeddings")!.data as Float32Array).buffer.slice(0)))).toBe(true);
    pm.dispose();
  });

  it("a released adapter on a model of another width is refused naming the tensor and shapes", async () => {
    const narrow = syntheticT5(64);
    await expect(loadAdapter(narrow, join(FIXTURES, "dept-checkpoints", "cola"))).rejects.toThrow(/token_dim: got 768; the t5 model has d_model = 64/);
    disposeModel(narrow);
  });
});

describe("LoRA", () => {
  let t5: LoadedModel;
  beforeAll(async () => {
    await useTestBackend();
    t5 = await loadFixtureModel("t5-tiny-gated");
  });
  afterAll(() => disposeModel(t5));

  const batchOf = async () => {
    const gc = await loadCase("t5-tiny-gated", "d_lora");
    return { inputIds: gc.int2d("input_ids"), attentionMask: gc.int2d("attention_mask"), labels: gc.int2d("labels") };
  };

  it("targets q and v of encoder self-attn, decoder self-attn AND decoder cross-attn", () => {
    const pm = getPeftModel(t5, loraConfig({ taskType: "SEQ_2_SEQ_LM", r: 2 }), { seed: 1 }) as LoraModel;
    expect(pm.config.peftType === "LORA" && pm.config.targetModules).toEqual(["q", "v"]); // resolved like peft, saved so
    const paths = pm.targets.map((t) => t.path).sort();
    expect(paths).toEqual(
      ["encoder.block.0.layer.0.SelfAttention", "encoder.block.1.layer.0.SelfAttention", "decoder.block.0.layer.0.SelfAttention", "decoder.block.1.layer.0.SelfAttention", "decoder.block.0.layer.1.EncDecAttention", "decoder.block.1.layer.1.EncDecAttention"]
        .flatMap((p) => [`${p}.q`, `${p}.v`])
        .sort(),
    );
    pm.dispose();
  });

  it("fresh LoRA is a no-op (B = 0, A ~ U(+-1/sqrt(in))); dispose detaches every branch", async () => {
    const batch = await batchOf();
    const base = tf.tidy(() => t5ForwardLogits(t5, batch));
    const pm = getPeftModel(t5, loraConfig({ taskType: "SEQ_2_SEQ_LM", r: 4, loraAlpha: 16 }), { seed: 9 }) as LoraModel;
    for (const t of pm.targets) {
      expect(Math.max(...Array.from(t.a.dataSync(), Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32));
      expect(t.b.dataSync().every((v) => v === 0)).toBe(true);
    }
    expect(pm.scaling).toBe(4);
    const withLora = tf.tidy(() => pm.forward(batch).logits.dataSync().slice());
    expect(Array.from(withLora)).toEqual(Array.from(base));
    expect(() => getPeftModel(t5, loraConfig({ taskType: "SEQ_2_SEQ_LM" }), { seed: 0 })).toThrow(/already carries a LoRA branch/);
    pm.dispose();
    expect([...namedLinears(t5).values()].every((l) => l.lora === undefined)).toBe(true);
    tf.dispose(Object.values(batch));
  });

  it("merged logits == unmerged logits; unmerge restores the frozen weights bit for bit", async () => {
    const batch = await batchOf();
    const pm = (await loadAdapter(t5, join(GOLDEN, "t5-tiny-gated", "d_lora", "adapter"))) as LoraModel;
    const q = namedLinears(t5).get("encoder.block.0.layer.0.SelfAttention.q")!;
    const w0 = q.w.dataSync().slice();
    const wT0 = q.wT.dataSync().slice();
    const unmerged = tf.tidy(() => pm.forward(batch).logits.dataSync().slice());
    pm.merge();
    expect(pm.isMerged).toBe(true);
    expect(q.lora).toBeUndefined();
    expect(Array.from(q.w.dataSync())).not.toEqual(Array.from(w0));
    const merged = tf.tidy(() => pm.forward(batch).logits.dataSync().slice());
    let max = 0;
    for (let i = 0; i < merged.length; i++) max = Math.max(max, Math.abs(merged[i]! - unmerged[i]!));
    expect(max).toBeLessThanOrEqual(1e-4 + 1e-4 * 30);
    pm.unmerge();
    expect(Array.from(q.w.dataSync())).toEqual(Array.from(w0));
    expect(Array.from(q.wT.dataSync())).toEqual(Array.from(wT0));
    const again = tf.tidy(() => pm.forward(batch).logits.dataSync().slice());
    expect(Array.from(again)).toEqual(Array.from(unmerged));
    pm.dispose();
    tf.dispose(Object.values(batch));
  });

  it("a regex target_modules string is a full match on the module path", () => {
    const pm = getPeftModel(t5, loraConfig({ taskType: "SEQ_2_SEQ_LM", targetModules: "encoder\\.block\\.0\\..*\\.(q|k)" }), { seed: 0 }) as LoraModel;
    expect(pm.targets.map((t) => t.path)).toEqual(["encoder.block.0.layer.0.SelfAttention.q", "encoder.block.0.layer.0.SelfAttention.k"]);
    pm.dispose();
    expect(() => getPeftModel(t5, loraConfig({ taskType: "SEQ_2_SEQ_LM", targetModules: ["nope"] }), { seed: 0 })).toThrow(/target_modules: \["nope"\] matches no linear layer/);
  });
});

function t5ForwardLogits(model: LoadedModel, batch: { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; labels: tf.Tensor2D }): Float32Array {
  return t5Forward(model, batch).logits.dataSync<"float32">().slice();
}

describe("fresh adapters save the golden adapter_config.json byte for byte", () => {
  it.each(["t5-tiny", "t5-tiny-gated", "llama-tiny"] as const)("%s: PT and LoRA (configs completed from the model)", async (name) => {
    await useTestBackend();
    const model = await loadFixtureModel(name);
    const taskType = name === "llama-tiny" ? "CAUSAL_LM" : "SEQ_2_SEQ_LM";
    const cases = [
      ["b_prompt_tuning", getPeftModel(model, promptTuningConfig({ taskType, numVirtualTokens: 5, baseModelNameOrPath: name }), { seed: 0 })],
      ["d_lora", getPeftModel(model, loraConfig({ taskType, r: 4, baseModelNameOrPath: name }), { seed: 0 })],
    ] as const;
    for (const [caseName, pm] of cases) {
      const dir = await tempDir();
      await savePretrained(pm, dir);
      expect(await readFile(join(dir, "adapter_config.json"), "utf8")).toBe(await readFile(join(GOLDEN, name, caseName, "adapter", "adapter_config.json"), "utf8"));
      const keys = [...(await readSafetensors(join(dir, "adapter_model.safetensors"))).tensors.keys()].sort();
      const golden = [...(await readSafetensors(join(GOLDEN, name, caseName, "adapter", "adapter_model.safetensors"))).tensors.keys()].sort();
      expect(keys).toEqual(golden);
      pm.dispose();
      await rm(dir, { recursive: true });
    }
    disposeModel(model);
  });
});

describe("all-params count (peft get_nb_trainable_parameters)", () => {
  it.each(["t5-tiny", "t5-tiny-gated", "llama-tiny"] as const)("%s: frozen count = the checkpoint's element count (tied lm_head once)", async (name) => {
    await useTestBackend();
    const model = await loadFixtureModel(name);
    const st = await readSafetensors(join(MODEL_FIXTURES, name, "model.safetensors"));
    let expected = 0;
    for (const t of st.tensors.values()) expected += t.shape.reduce((a, b) => a * b, 1);
    const pm = getPeftModel(model, promptTuningConfig({ taskType: name === "llama-tiny" ? "CAUSAL_LM" : "SEQ_2_SEQ_LM", numVirtualTokens: 7 }), { seed: 0 });
    expect(pm.parameterCounts()).toEqual({ trainable: 7 * 32, all: expected + 7 * 32 });
    pm.dispose();
    disposeModel(model);
  });
});

describe("corrupt or mismatched adapter folders -> clear errors", () => {
  let t5: LoadedModel;
  const dirs: string[] = [];
  beforeAll(async () => {
    await useTestBackend();
    t5 = await loadFixtureModel("t5-tiny");
  });
  afterAll(async () => {
    disposeModel(t5);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const dept = join(GOLDEN, "t5-tiny", "c_dept", "adapter");
  const lora = join(GOLDEN, "t5-tiny", "d_lora", "adapter");

  it.each([
    ["unknown peft_type", dept, { config: (c) => {
        c.peft_type = "IA3";
      } }, PeftConfigError, /peft_type: got "IA3"; expected one of/],
    ["config token_dim differs from the model", dept, { config: (c) => {
        c.token_dim = 64;
      } }, PeftConfigError, /token_dim: got 64; the t5 model has d_model = 32/],
    [
      "wrong d in the prompt tensor",
      dept,
      { tensors: (t) => t.set("prompt_embeddings", { dtype: "F32", shape: [5, 16], data: new Float32Array(80) }) },
      AdapterLoadError,
      /tensor 'prompt_embeddings' has shape \[5, 16\]; expected \[5, 32\] \(num_virtual_tokens = 5, d_model = 32\)/,
    ],
    ["wrong s (max_length differs from A's rows)", dept, { config: (c) => {
        c.max_length = 24;
      } }, AdapterLoadError, /'prompt_encoder\.lora_embedding_A' has shape \[20, 4\]; expected \[24, 4\] \(max_length = 24 rows, r = 4\)/],
    ["wrong r", dept, { config: (c) => {
        c.r = 8;
      } }, AdapterLoadError, /lora_embedding_A' has shape \[20, 4\]; expected \[20, 8\]/],
    [
      "a foreign tensor",
      dept,
      { tensors: (t) => t.set("prompt_encoder.embedding.weight", { dtype: "F32", shape: [1], data: new Float32Array(1) }) },
      AdapterLoadError,
      /unexpected tensor\(s\) 'prompt_encoder\.embedding\.weight'/,
    ],
    [
      "a LoRA file missing a module",
      lora,
      { tensors: (t) => t.delete("base_model.model.encoder.block.1.layer.0.SelfAttention.v.lora_B.weight") },
      AdapterLoadError,
      /tensor 'base_model\.model\.encoder\.block\.1\.layer\.0\.SelfAttention\.v\.lora_B\.weight' is missing/,
    ],
    ["LoRA with DoRA", lora, { config: (c) => {
        c.use_dora = true;
      } }, PeftConfigError, /use_dora: got true/],
    ["LoRA rank mismatch", lora, { config: (c) => {
        c.r = 2;
      } }, AdapterLoadError, /lora_A\.weight' has shape \[4, 32\]; expected \[2, 32\] \(r = 2, in_features = 32\)/],
  ] as Array<[string, string, Edit, new (...args: never[]) => Error, RegExp]>)("%s", async (_name, src, edit, cls, pattern) => {
    const dir = await editedAdapter(src, edit);
    dirs.push(dir);
    const n0 = tf.memory().numTensors;
    await expect(loadAdapter(t5, dir)).rejects.toThrow(cls);
    await expect(loadAdapter(t5, dir)).rejects.toThrow(pattern);
    expect(tf.memory().numTensors).toBe(n0);
    expect([...namedLinears(t5).values()].every((l) => l.lora === undefined)).toBe(true);
  });

  it("missing folder, missing weights, bad JSON, refused pickle", async () => {
    await expect(loadAdapter(t5, join(FIXTURES, "nope"))).rejects.toThrow(/adapter_config\.json: cannot read the adapter config/);
    const dir = await tempDir();
    dirs.push(dir);
    await copyFile(join(dept, "adapter_config.json"), join(dir, "adapter_config.json"));
    await expect(loadAdapter(t5, dir)).rejects.toThrow(/no adapter weights: expected adapter_model\.safetensors or adapter_model\.bin/);
    await copyFile(join(FIXTURES, "pickle", "evil-os-system.bin"), join(dir, "adapter_model.bin"));
    await expect(loadAdapter(t5, dir)).rejects.toThrow(TorchPickleError);
    await writeFile(join(dir, "adapter_config.json"), "{ nope");
    await expect(loadAdapter(t5, dir)).rejects.toThrow(/adapter_config\.json: invalid JSON/);
  });
});
