// The Linear LoRA branch against upstream peft 0.21 (golden d_lora): LoRA on the q and v projections of every
// attention (T5: encoder self, decoder self and cross attention), y = x@w + scaling * x@a@b with
// a = lora_A^T [in, r], b = lora_B^T [r, out]: logits, loss and the gradients wrt every lora_A / lora_B.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeModel, llamaForward, namedLinears, t5Forward, type LoadedModel } from "../src/index.ts";
import { compare, f32, loadCase, loadFixtureModel, tensor, type GoldenCase, type Tol } from "./helpers/golden.ts";
import { useTestBackend } from "./helpers/backend.ts";

const MODELS = ["t5-tiny", "t5-tiny-gated", "llama-tiny"] as const;
const PREFIX = "base_model.model.";

describe.each(MODELS)("%s LoRA (peft d_lora)", (name) => {
  let model: LoadedModel;
  let c: GoldenCase;
  beforeAll(async () => {
    await useTestBackend();
    model = await loadFixtureModel(name);
    c = await loadCase(name, "d_lora");
  });
  afterAll(() => disposeModel(model));

  it("logits, loss and lora_A / lora_B gradients match", () => {
    const scaling = c.json.scaling as number;
    const linears = namedLinears(model);
    const vars = new Map<string, tf.Variable>(); // golden key -> variable in torch layout's transpose
    for (const key of c.tensors.keys()) {
      if (!key.startsWith(`param.${PREFIX}`) || !key.endsWith(".lora_A.weight")) continue;
      const path = key.slice(`param.${PREFIX}`.length, -".lora_A.weight".length);
      const lin = linears.get(path);
      if (lin === undefined) throw new Error(`no linear ${path}`);
      const A = f32(tensor(c, key)); // [r, in]
      const B = f32(tensor(c, key.replace("lora_A", "lora_B"))); // [out, r]
      const a = tf.variable(tf.transpose(tf.tensor2d(A.data, A.shape as [number, number]))); // [in, r]
      const b = tf.variable(tf.transpose(tf.tensor2d(B.data, B.shape as [number, number]))); // [r, out]
      lin.lora = { a: a, b: b, scaling, dropout: 0 };
      vars.set(`${PREFIX}${path}.lora_A.weight`, a);
      vars.set(`${PREFIX}${path}.lora_B.weight`, b);
    }
    expect(vars.size).toBe((c.json.adapter_key_names as string[]).length);
    const int2d = (n: string) => tf.tensor2d(tensor(c, n).data as Int32Array, tensor(c, n).shape as [number, number], "int32");
    try {
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => {
        const inputs = { inputIds: int2d("input_ids"), attentionMask: int2d("attention_mask"), labels: int2d("labels") };
        const out = model.kind === "t5" ? t5Forward(model, inputs) : llamaForward(model, inputs);
        if (c.tensors.has("logits")) {
          const ref = f32(tensor(c, "logits"));
          const mask = tensor(c, "attention_mask").data;
          const vocab = ref.shape[2]!;
          const where = model.kind === "llama" ? (i: number) => mask[Math.floor(i / vocab)] === 1 : undefined;
          const cmp = compare(out.logits.dataSync(), ref.data, (c.json.tolerances as Record<string, Tol>).logits!, where);
          expect(cmp.bad, cmp.firstBad).toBe(0);
        }
        return out.loss!;
      }, [...vars.values()]);
      const refLoss = c.json.loss as number;
      expect(Math.abs(value.dataSync()[0]! - refLoss)).toBeLessThanOrEqual(2e-5 + 1e-5 * Math.abs(refLoss));
      const tol = (c.json.tolerances as { grad: { atol: number; atol_rel_to_max: number; rtol: number } }).grad;
      let worst = 0;
      for (const [key, v] of vars) {
        const ref = f32(tensor(c, `grad.${key}`)); // torch layout: lora_A [r, in], lora_B [out, r]
        const got = tf.tidy(() => tf.transpose(grads[v.name]!).dataSync());
        const maxRef = ref.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        ref.data.forEach((r, i) => {
          const d = Math.abs(got[i]! - r);
          worst = Math.max(worst, d);
          expect(d, `${key}[${i}]`).toBeLessThanOrEqual(tol.atol + tol.atol_rel_to_max * maxRef + tol.rtol * Math.abs(r));
        });
      }
      console.log(`${name} LoRA grads max abs diff ${worst}`);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      for (const lin of linears.values()) delete lin.lora;
      tf.dispose([...vars.values()]);
    }
  });
});
