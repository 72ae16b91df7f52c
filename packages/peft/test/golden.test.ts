// ONE table: {t5-tiny, t5-tiny-gated, llama-tiny} x {DePT, PT, LoRA} against golden cases c_dept, b_prompt_tuning,
// d_lora. Each row loads the golden adapter folder (the DePT fork's format / upstream peft 0.21's) onto the fixture
// model and checks loss, logits, every adapter gradient, the training-step invariants and save -> load.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeModel, type LoadedModel } from "@dept/models";
import { loadAdapter, savePretrained, type LoraModel, type PeftBatch, type PeftModel } from "../src/index.ts";
import { compare, FIXTURES, loadCase, loadFixtureModel, note, observed, transpose2d, useTestBackend, type GoldenCase, type Tol } from "./helpers.ts";

type Method = "DePT" | "PT" | "LoRA";
const CASE_OF: Record<Method, string> = { DePT: "c_dept", PT: "b_prompt_tuning", LoRA: "d_lora" };
const MODELS = ["t5-tiny", "t5-tiny-gated", "llama-tiny"] as const;
const TABLE = MODELS.flatMap((model) => (["DePT", "PT", "LoRA"] as const).map((method) => ({ model, method, caseName: CASE_OF[method] })));

/** Golden gradient name and layout for each saved adapter key. */
function goldenGrad(method: Method, key: string): { name: string; transposed: boolean } {
  if (method === "LoRA") return { name: `grad.${key}`, transposed: true }; // torch [r,in]/[out,r] vs our [in,r]/[r,out]
  const short = { prompt_embeddings: "P", "prompt_encoder.lora_embedding_A": "A", "prompt_encoder.lora_embedding_B": "B" }[key];
  if (short === undefined) throw new Error(`unexpected key ${key}`);
  return { name: `grad_${short}`, transposed: false };
}

function goldenParam(method: Method, key: string): string {
  if (method === "LoRA") return `param.${key}`;
  return { prompt_embeddings: "P", "prompt_encoder.lora_embedding_A": "A", "prompt_encoder.lora_embedding_B": "B" }[key] ?? key;
}

function frozenTensors(model: LoadedModel): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof tf.Variable) return; // LoRA branches are the adapter's
    if (v instanceof tf.Tensor) out.push(v as tf.Tensor);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v as Record<string, unknown>).forEach(walk);
  };
  walk(model.params);
  return out;
}

describe.each(TABLE)("$model x $method ($caseName)", ({ model: modelName, method, caseName }) => {
  let model: LoadedModel;
  let pm: PeftModel;
  let gc: GoldenCase;
  let batch: PeftBatch;
  let tol: Record<string, Tol>;
  let logitMask: Int32Array;

  beforeAll(async () => {
    await useTestBackend();
    model = await loadFixtureModel(modelName);
    gc = await loadCase(modelName, caseName);
    tol = gc.json.tolerances as Record<string, Tol>;
    pm = await loadAdapter(model, join(FIXTURES, "golden", modelName, caseName, "adapter"));
    batch = { inputIds: gc.int2d("input_ids"), attentionMask: gc.int2d("attention_mask"), labels: gc.int2d("labels") };
    const maskName = method === "LoRA" ? "attention_mask" : "extended_attention_mask";
    logitMask = gc.get(maskName).data as Int32Array;
  });

  afterAll(() => {
    pm.dispose();
    tf.dispose([batch.inputIds, batch.attentionMask, batch.labels!]);
    disposeModel(model);
  });

  it("loads the golden adapter parameters exactly", () => {
    expect(pm.config.peftType).toBe({ DePT: "PROMPT_TUNING_LORA", PT: "PROMPT_TUNING", LoRA: "LORA" }[method]);
    for (const [key, v] of pm.trainable) {
      const ref = gc.get(goldenParam(method, key));
      const data = v.dataSync();
      const refData = method === "LoRA" ? transpose2d(ref.data, ref.shape[0]!, ref.shape[1]!) : (ref.data as Float32Array);
      expect(Array.from(data)).toEqual(Array.from(refData));
    }
    if (method === "LoRA") expect([...pm.trainable.keys()].sort()).toEqual(((gc.json.adapter_key_names as string[] | undefined) ?? [...pm.trainable.keys()]).slice().sort());
  });

  it("loss and logits match the golden (logits where the extended mask is 1)", () => {
    const { logits, loss } = tf.tidy(() => {
      const out = pm.forward(batch);
      return { logits: out.logits.dataSync().slice(), loss: out.loss!.dataSync()[0]! };
    });
    const ref = gc.get("logits");
    const [, len, vocab] = ref.shape as [number, number, number];
    expect(logits.length).toBe(ref.data.length);
    // T5 logits are decoder positions (no mask); Llama logits cover the (extended) input positions.
    const where = modelName === "llama-tiny" ? (i: number) => logitMask[Math.floor(i / vocab)] === 1 : undefined;
    expect(logitMask.length).toBe(modelName === "llama-tiny" ? ref.shape[0]! * len : logitMask.length);
    const lg = compare(logits, ref.data, tol.logits!, where);
    note(`${method} logits`, lg.maxAbs);
    expect(lg.bad).toBe(0);
    const refLoss = gc.json.loss as number;
    note(`${method} loss`, Math.abs(loss - refLoss));
    expect(Math.abs(loss - refLoss)).toBeLessThanOrEqual(tol.loss!.atol + tol.loss!.rtol * Math.abs(refLoss));
  });

  it("every adapter gradient matches the golden", () => {
    const entries = [...pm.trainable.entries()];
    const grads = tf.tidy(() => {
      const { grads: g, value } = tf.variableGrads(() => pm.forward(batch).loss!, entries.map(([, v]) => v));
      value.dispose();
      return entries.map(([, v]) => g[v.name]!.dataSync().slice());
    });
    expect(entries.length).toBeGreaterThan(0);
    entries.forEach(([key, v], i) => {
      const { name, transposed } = goldenGrad(method, key);
      const ref = gc.get(name);
      const refData = transposed ? transpose2d(ref.data, ref.shape[0]!, ref.shape[1]!) : ref.data;
      expect(v.shape).toEqual(transposed ? [ref.shape[1], ref.shape[0]] : ref.shape);
      const c = compare(grads[i]!, refData, tol.grad!);
      note(`${method} grad`, c.maxAbs);
      expect(c.bad, `${key}: max |diff| ${c.maxAbs}`).toBe(0);
    });
  });

  it("one SGD step changes only adapter variables and leaks no tensor", () => {
    const frozen = frozenTensors(model);
    const before = frozen.map((t) => Buffer.from(new Uint8Array(t.dataSync().buffer.slice(0))));
    const adapterBefore = [...pm.trainable.values()].map((v) => v.dataSync().slice());
    const saved = [...pm.trainable.values()].map((v) => tf.clone(v));
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const vars = [...pm.trainable.values()];
      const { grads, value } = tf.variableGrads(() => pm.forward(batch, { training: true, seed: 7 }).loss!, vars);
      value.dispose();
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.1)));
    });
    expect(tf.memory().numTensors).toBe(n0);
    frozen.forEach((t, i) => expect(Buffer.from(new Uint8Array(t.dataSync().buffer.slice(0))).equals(before[i]!)).toBe(true));
    const changed = [...pm.trainable.values()].map((v, i) => v.dataSync().some((x, j) => x !== adapterBefore[i]![j]));
    expect(changed.some((c) => c)).toBe(true);
    // restore the golden values for the other tests
    [...pm.trainable.values()].forEach((v, i) => v.assign(saved[i]!));
    tf.dispose(saved);
  });

  it("save -> load reproduces the logits exactly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dept-peft-"));
    try {
      await savePretrained(pm, dir);
      const logitsA = tf.tidy(() => pm.forward(batch).logits.dataSync().slice());
      pm.dispose();
      pm = await loadAdapter(model, dir);
      const logitsB = tf.tidy(() => pm.forward(batch).logits.dataSync().slice());
      expect(Buffer.from(logitsB.buffer).equals(Buffer.from(logitsA.buffer))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each(MODELS)("%s LoRA merge (golden d_lora)", (modelName) => {
  it("merged logits == unmerged logits within the golden merged_vs_unmerged tolerance", async () => {
    await useTestBackend();
    const model = await loadFixtureModel(modelName);
    const gc = await loadCase(modelName, "d_lora");
    const lora = (await loadAdapter(model, join(FIXTURES, "golden", modelName, "d_lora", "adapter"))) as LoraModel;
    const batch = { inputIds: gc.int2d("input_ids"), attentionMask: gc.int2d("attention_mask"), labels: gc.int2d("labels") };
    const unmerged = tf.tidy(() => lora.forward(batch).logits.dataSync().slice());
    lora.merge();
    const merged = tf.tidy(() => lora.forward(batch).logits.dataSync().slice());
    lora.unmerge();
    const mask = gc.get("attention_mask").data;
    const vocab = gc.get("logits").shape[2]!;
    const where = modelName === "llama-tiny" ? (i: number) => mask[Math.floor(i / vocab)] === 1 : undefined;
    const tol = (gc.json.tolerances as Record<string, Tol>).merged_vs_unmerged_logits!;
    const c = compare(merged, unmerged, tol, where);
    note("LoRA merged vs unmerged logits", c.maxAbs);
    expect(c.bad).toBe(0);
    lora.dispose();
    tf.dispose(Object.values(batch));
    disposeModel(model);
  });
});

afterAll(async () => {
  console.log(`[peft golden] backend ${await useTestBackend()}; max |diff| observed: ${JSON.stringify(observed)}`);
});
