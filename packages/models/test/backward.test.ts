// Backward through the frozen model (custom-gradient linears and attention products): the gradient of the loss
// with respect to a soft prompt P fed through inputsEmbeds matches HF's grad_P (golden b_prompt_tuning), and a
// forward+backward leaves tf.memory().numTensors unchanged. Plus dropout determinism in training mode.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeModel, embed, llamaForward, t5Forward, type LoadedModel } from "../src/index.ts";
import { f32, loadCase, loadFixtureModel, tensor, type GoldenCase } from "./helpers/golden.ts";
import { useTestBackend } from "./helpers/backend.ts";

const MODELS = ["t5-tiny", "t5-tiny-gated", "llama-tiny"] as const;

const int2d = (c: GoldenCase, name: string): tf.Tensor2D => {
  const t = tensor(c, name);
  return tf.tensor2d(t.data as Int32Array, t.shape as [number, number], "int32");
};

/** loss(P) for prompt tuning: inputsEmbeds = [P; embed(ids)], mask [1^m; mask] (Llama: labels [-100^m; labels]). */
function promptLoss(model: LoadedModel, c: GoldenCase, P: tf.Tensor2D, opts?: { training: boolean; seed: number; checkpoint?: boolean }): tf.Scalar {
  const ids = int2d(c, "input_ids");
  const batch = ids.shape[0];
  const prompt = tf.tile(tf.expandDims<tf.Tensor3D>(P, 0), [batch, 1, 1]); // [B, m, d]
  const inputsEmbeds = tf.concat<tf.Tensor3D>([prompt, embed(model, ids)], 1); // [B, m+s, d]
  const attentionMask = int2d(c, "extended_attention_mask");
  if (model.kind === "t5") return t5Forward(model, { inputsEmbeds, attentionMask, labels: int2d(c, "labels") }, opts).loss!;
  return llamaForward(model, { inputsEmbeds, attentionMask, labels: int2d(c, "extended_labels") }, opts).loss!;
}

describe.each(MODELS)("%s backward", (name) => {
  let model: LoadedModel;
  let c: GoldenCase;
  let P: tf.Tensor2D;
  beforeAll(async () => {
    await useTestBackend();
    model = await loadFixtureModel(name);
    c = await loadCase(name, "b_prompt_tuning");
    const p = f32(tensor(c, "P"));
    P = tf.tensor2d(p.data, p.shape as [number, number]);
  });
  afterAll(() => {
    P.dispose();
    disposeModel(model);
  });

  it.each([false, true])("grad of the loss wrt a prompt fed as inputsEmbeds matches HF grad_P (checkpoint %s); numTensors unchanged", (checkpoint) => {
    const before = tf.memory().numTensors;
    const [lossT, gradT] = tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => promptLoss(model, c, p as tf.Tensor2D, { training: false, seed: 0, checkpoint }))(P);
      return [value, grad];
    });
    const loss = lossT.dataSync()[0]!;
    const grad = gradT.dataSync();
    tf.dispose([lossT, gradT]);
    expect(tf.memory().numTensors).toBe(before);

    const refLoss = c.json.loss as number;
    expect(Math.abs(loss - refLoss)).toBeLessThanOrEqual(2e-5 + 1e-5 * Math.abs(refLoss));
    const ref = f32(tensor(c, "grad_P")).data;
    const tol = (c.json.tolerances as { grad: { atol: number; atol_rel_to_max: number; rtol: number } }).grad;
    const maxRef = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let maxAbs = 0;
    ref.forEach((r, i) => {
      const d = Math.abs(grad[i]! - r);
      maxAbs = Math.max(maxAbs, d);
      expect(d, `grad_P[${i}]`).toBeLessThanOrEqual(tol.atol + tol.atol_rel_to_max * maxRef + tol.rtol * Math.abs(r));
    });
    console.log(`${name} grad_P (checkpoint ${checkpoint}) max abs diff ${maxAbs} (max |ref| ${maxRef})`);
  });

  it("activation checkpointing: same loss and grads (prompt + LoRA a/b, training dropout) as keeping activations", () => {
    // A LoRA branch on the first attention query projection, so variables inside a checkpointed block get grads.
    const q = model.kind === "t5" ? model.params.encoder.blocks[0]!.selfAttn.q : model.params.layers[0]!.q;
    const [inDim, outDim] = q.w.shape;
    const a = tf.variable(tf.randomNormal<tf.Rank.R2>([inDim, 4], 0, 0.1, "float32", 11));
    const b = tf.variable(tf.randomNormal<tf.Rank.R2>([4, outDim], 0, 0.1, "float32", 12));
    const Pv = tf.variable(P);
    q.lora = { a, b, scaling: 2, dropout: 0.1 };
    const dropoutModel: LoadedModel = model.kind === "t5" ? { ...model, config: { ...model.config, dropoutRate: 0.1 } } : model;
    const run = (checkpoint: boolean) => {
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => promptLoss(dropoutModel, c, Pv, { training: true, seed: 5, checkpoint }), [Pv, a, b]);
      const out = { loss: value.dataSync()[0]!, grads: [Pv, a, b].map((v) => Float32Array.from(grads[v.name]!.dataSync())) };
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      return out;
    };
    try {
      const plain = run(false);
      const remat = run(true);
      expect(remat.loss).toBeCloseTo(plain.loss, 5);
      remat.grads.forEach((g, k) => {
        const ref = plain.grads[k]!;
        const maxRef = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(maxRef).toBeGreaterThan(0);
        g.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThanOrEqual(1e-5 * maxRef));
      });
    } finally {
      delete q.lora;
      tf.dispose([a, b, Pv]);
    }
  });

  it("training dropout: same seed -> same loss, other seed -> different loss; no seed -> error", () => {
    const dropoutModel: LoadedModel =
      model.kind === "t5" ? { ...model, config: { ...model.config, dropoutRate: 0.1 } } : model;
    const loss = (seed: number) => tf.tidy(() => promptLoss(dropoutModel, c, P, { training: true, seed }).dataSync()[0]!);
    const a = loss(1);
    expect(loss(1)).toBe(a);
    if (model.kind === "t5") expect(loss(2)).not.toBe(a); // Llama has no dropout of its own (attention_dropout 0)
    expect(() => tf.tidy(() => (model.kind === "t5" ? t5Forward : llamaForward)(model, { inputIds: int2d(c, "input_ids"), attentionMask: int2d(c, "attention_mask"), labels: int2d(c, "labels") }, { training: true }).logits)).toThrow(/seed/);
  });
});
