// Parity with the HF transformers goldens (test/fixtures, see its README): base forward (logits, loss, encoder
// hidden state) and greedy generation (ids exact, per-step logits) for the three tiny models, on WASM.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeModel, generate, llamaForward, t5Forward, type LoadedModel } from "../src/index.ts";
import { compare, f32, loadCase, loadFixtureModel, rows, tensor, type GoldenCase, type Tol } from "./helpers/golden.ts";
import { useTestBackend } from "./helpers/backend.ts";

const MODELS = ["t5-tiny", "t5-tiny-gated", "llama-tiny"] as const;

function tolerance(c: GoldenCase, name: string): Tol {
  const t = (c.json.tolerances as Record<string, Tol>)[name];
  if (t === undefined) throw new Error(`case has no tolerance ${name}`);
  return t;
}

const int2d = (c: GoldenCase, name: string): tf.Tensor2D => {
  const t = tensor(c, name);
  return tf.tensor2d(t.data as Int32Array, t.shape as [number, number], "int32");
};

/** Observed max abs differences, printed once at the end (reported in README). */
const observed: Record<string, number> = {};

describe.each(MODELS)("%s parity with HF transformers", (name) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useTestBackend();
    model = await loadFixtureModel(name);
  });
  afterAll(() => disposeModel(model));

  it("a_base_forward: logits, loss (and encoder hidden state for T5)", async () => {
    const c = await loadCase(name, "a_base_forward");
    const mask = tensor(c, "attention_mask");
    const seq = mask.shape[1]!;
    const out = tf.tidy(() => {
      const inputs = { inputIds: int2d(c, "input_ids"), attentionMask: int2d(c, "attention_mask"), labels: int2d(c, "labels") };
      if (model.kind === "t5") {
        const o = t5Forward(model, inputs);
        return [o.logits, o.loss!, o.encoderLastHiddenState];
      }
      const o = llamaForward(model, inputs);
      return [o.logits, o.loss!];
    });
    const logits = out[0]!.dataSync() as Float32Array;
    const loss = out[1]!.dataSync()[0]!;
    const hidden = out[2] !== undefined ? (out[2].dataSync() as Float32Array) : null;
    tf.dispose(out);
    const refLogits = f32(tensor(c, "logits"));
    const vocab = refLogits.shape[2]!;
    // Llama: logits at pad query positions are implementation-defined (fully masked row): compare where mask == 1.
    const where = model.kind === "llama" ? (i: number) => mask.data[Math.floor(i / vocab)] === 1 : undefined;
    const lg = compare(logits, refLogits.data, tolerance(c, "logits"), where);
    observed[`${name} logits`] = lg.maxAbs;
    expect(lg.bad, lg.firstBad).toBe(0);
    expect(Number.isFinite(lg.maxAbs)).toBe(true);
    const refLoss = c.json.loss as number;
    observed[`${name} loss`] = Math.abs(loss - refLoss);
    const lt = tolerance(c, "loss");
    expect(Math.abs(loss - refLoss)).toBeLessThanOrEqual(lt.atol + lt.rtol * Math.abs(refLoss));
    if (hidden !== null) {
      const hd = compare(hidden, tensor(c, "encoder_last_hidden_state").data, tolerance(c, "hidden"));
      observed[`${name} encoder_last_hidden_state`] = hd.maxAbs;
      expect(hd.bad, hd.firstBad).toBe(0);
    }
    // Llama pad rows must still be finite (large finite mask value, never -Infinity).
    expect(logits.every((v) => Number.isFinite(v))).toBe(true);
    expect(seq).toBeGreaterThan(0);
  });

  it("e_generate: greedy ids exact (base and from DePT inputs embeds), step logits within tolerance", async () => {
    const c = await loadCase(name, "e_generate");
    const maxNewTokens = c.json.max_new_tokens as number;
    const stepTol = (c.json.tolerances as { step_logits: Tol }).step_logits;
    const inputIds = int2d(c, "input_ids");
    const attentionMask = int2d(c, "attention_mask");
    const stepLogits: Float32Array[] = [];
    const ids = await generate(model, { inputIds, attentionMask }, { maxNewTokens, onStepLogits: (_s, l) => stepLogits.push(Float32Array.from(l.dataSync())) });
    const expected = model.kind === "t5" ? rows(tensor(c, "sequences")).map((r) => r.slice(1)) : rows(tensor(c, "new_tokens"));
    expect(ids).toEqual(expected);
    if (c.tensors.has("step_logits")) {
      const ref = f32(tensor(c, "step_logits"));
      const [, b, v] = ref.shape as [number, number, number];
      let maxAbs = 0;
      stepLogits.forEach((got, s) => {
        // rows that already finished still get logits in HF; ignore them (none finish early in these cases).
        const cmp = compare(got, ref.data.subarray(s * b * v, (s + 1) * b * v), stepTol);
        maxAbs = Math.max(maxAbs, cmp.maxAbs);
        expect(cmp.bad, `step ${s}: ${cmp.firstBad}`).toBe(0);
      });
      observed[`${name} step_logits`] = maxAbs;
    }

    // DePT-prompted generation: inputs embeds [P; embed(ids) + scaling * A@B], mask [1^m; mask].
    const scaling = (c.json.dept as { scaling: number }).scaling;
    const embeds = tf.tidy(() => {
      const p = tensor(c, "P");
      const a = tensor(c, "A");
      const bT = tensor(c, "B");
      const P = tf.tensor2d(f32(p).data, p.shape as [number, number]);
      const AB = tf.matMul(tf.tensor2d(a.data as Float32Array, a.shape as [number, number]), tf.tensor2d(bT.data as Float32Array, bT.shape as [number, number]));
      const table = model.kind === "t5" ? model.params.shared : model.params.embedTokens;
      const e = tf.add(tf.gather(table, inputIds), tf.mul(AB, scaling)); // [B, s, d]
      const batch = inputIds.shape[0];
      return tf.concat([tf.tile(tf.expandDims(P, 0), [batch, 1, 1]), e], 1) as tf.Tensor3D; // [B, m+s, d]
    });
    const extMask = int2d(c, "dept_extended_attention_mask");
    const deptIds = await generate(model, { inputsEmbeds: embeds, attentionMask: extMask }, { maxNewTokens });
    const deptExpected = model.kind === "t5" ? rows(tensor(c, "dept_sequences")).map((r) => r.slice(1)) : rows(tensor(c, "dept_new_tokens"));
    expect(deptIds).toEqual(deptExpected);
    tf.dispose([inputIds, attentionMask, embeds, extMask]);
  });
});

describe.each(MODELS)("%s greedy stopping", (name) => {
  it("a row stops at EOS and is padded afterwards; generation ends when every row is done", async () => {
    await useTestBackend();
    const base = await loadFixtureModel(name);
    const c = await loadCase(name, "e_generate");
    const inputIds = int2d(c, "input_ids");
    const attentionMask = int2d(c, "attention_mask");
    try {
      const free = await generate(base, { inputIds, attentionMask }, { maxNewTokens: 4 });
      // Pretend row 0's second generated token is EOS: row 0 ends there, row 1 runs on, pads follow EOS.
      const eos = free[0]![1]!;
      const pad = base.kind === "t5" ? base.config.padTokenId : (base.config.padTokenId ?? eos);
      const model: LoadedModel = base.kind === "t5" ? { ...base, config: { ...base.config, eosTokenId: eos } } : { ...base, config: { ...base.config, eosTokenId: eos } };
      const ids = await generate(model, { inputIds, attentionMask }, { maxNewTokens: 4 });
      // HF semantics: a row keeps its tokens up to and including its first EOS, then pads; the loop ends once
      // every row has finished, so all rows have the length of the slowest one (at most maxNewTokens).
      const cuts = free.map((row) => (row.includes(eos) ? row.indexOf(eos) + 1 : row.length));
      const steps = Math.max(...cuts);
      const expected = free.map((row, r) => [...row.slice(0, Math.min(cuts[r]!, steps)), ...new Array<number>(steps - Math.min(cuts[r]!, steps)).fill(pad)]);
      expect(ids).toEqual(expected);
      expect(ids[0]![cuts[0]! - 1]).toBe(eos);
      // Both rows ending: with EOS = each row's first token, generation stops after one step.
      if (free[0]![0] === free[1]![0]) {
        const first = free[0]![0]!;
        const both: LoadedModel = base.kind === "t5" ? { ...base, config: { ...base.config, eosTokenId: first } } : { ...base, config: { ...base.config, eosTokenId: first } };
        expect(await generate(both, { inputIds, attentionMask }, { maxNewTokens: 4 })).toEqual([[first], [first]]);
      }
    } finally {
      tf.dispose([inputIds, attentionMask]);
      disposeModel(base);
    }
  });
});

afterAll(() => {
  console.log(`parity max abs diffs (${tf.getBackend()}): ${JSON.stringify(observed)}`);
});
