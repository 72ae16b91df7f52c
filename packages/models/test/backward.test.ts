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
function promptLoss(model: LoadedModel, c: GoldenCase, P: tf.Tensor2D, opts?: { training: boolean; seed: number }): tf.Scalar {
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
    model = loadFixtureModel(name);
    c = loadCase(name, "b_prompt_tuning");
    const p = f32(tensor(c, "P"));
    P = tf.tensor2d(p.data, p.shape as [number, number]);
  });
  afterAll(() => {
    P.dispose();
    disposeModel(model);
  });

  it("grad of the loss wrt a prompt fed as inputsEmbeds matches HF grad_P; numTensors unchanged", () => {
    const before = tf.memory().numTensors;
    const [lossT, gradT] = tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => promptLoss(model, c, p as tf.Tensor2D))(P);
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
    console.log(`${name} grad_P max abs diff ${maxAbs} (max |ref| ${maxRef})`);
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
