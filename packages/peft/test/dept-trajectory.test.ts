// DePT loss, gradients and gradient norm along the golden training trajectory (t5-tiny f_dept_train: 8 RTE-style
// examples, s = 24, m = 4, r = 3): at every recorded step k the parameters P/A/B_steps[k] give loss[k],
// grad_{P,A,B}_steps[k] and the joint L2 grad_norm[k]; the saved adapter_init / adapter_final folders load to
// P/A/B_steps[0] / the final parameters and adapter_final gives final_loss. (The optimizer is @dept/trainer's.)
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeModel, type LoadedModel } from "@dept/models";
import { loadAdapter, type DeptModel, type PeftBatch } from "../src/index.ts";
import { compare, FIXTURES, loadCase, loadFixtureModel, note, observed, useTestBackend, type GoldenCase, type Tol } from "./helpers.ts";

describe("t5-tiny DePT trajectory (golden f_dept_train)", () => {
  let model: LoadedModel;
  let gc: GoldenCase;
  let pm: DeptModel;
  let batch: PeftBatch;
  let tol: Record<string, Tol>;

  beforeAll(async () => {
    await useTestBackend();
    model = await loadFixtureModel("t5-tiny");
    gc = await loadCase("t5-tiny", "f_dept_train");
    tol = gc.json.tolerances as Record<string, Tol>;
    pm = (await loadAdapter(model, join(FIXTURES, "golden", "t5-tiny", "f_dept_train", "adapter_init"))) as DeptModel;
    batch = { inputIds: gc.int2d("input_ids"), attentionMask: gc.int2d("attention_mask"), labels: gc.int2d("labels"), decoderInputIds: gc.int2d("decoder_input_ids") };
  });
  afterAll(() => {
    console.log(`[peft trajectory] max |diff| observed: ${JSON.stringify(observed)}`);
    pm.dispose();
    tf.dispose(Object.values(batch) as tf.Tensor[]);
    disposeModel(model);
  });

  const slice = (name: string, k: number): Float32Array => {
    const t = gc.get(name);
    const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
    return (t.data as Float32Array).subarray(k * per, (k + 1) * per);
  };

  it("adapter_init holds P/A/B_steps[0]", () => {
    expect(Array.from(pm.prompt.dataSync())).toEqual(Array.from(slice("P_steps", 0)));
    expect(Array.from(pm.loraA.dataSync())).toEqual(Array.from(slice("A_steps", 0)));
    expect(Array.from(pm.loraB.dataSync())).toEqual(Array.from(slice("B_steps", 0)));
  });

  it("every step: loss, the three gradients and their joint L2 norm match", () => {
    const losses = gc.json.losses as number[];
    const norms = gc.json.grad_norms as number[];
    for (let k = 0; k < losses.length; k++) {
      tf.tidy(() => {
        pm.prompt.assign(tf.tensor2d(slice("P_steps", k), pm.prompt.shape));
        pm.loraA.assign(tf.tensor2d(slice("A_steps", k), pm.loraA.shape));
        pm.loraB.assign(tf.tensor2d(slice("B_steps", k), pm.loraB.shape));
      });
      const vars = [pm.prompt, pm.loraA, pm.loraB];
      const [loss, grads] = tf.tidy(() => {
        const { value, grads: g } = tf.variableGrads(() => pm.forward(batch).loss!, vars);
        return [value.dataSync()[0]!, vars.map((v) => g[v.name]!.dataSync().slice())] as const;
      });
      const lt = tol.train_loss!;
      note("trajectory loss", Math.abs(loss - losses[k]!));
      expect(Math.abs(loss - losses[k]!)).toBeLessThanOrEqual(lt.atol + lt.rtol * Math.abs(losses[k]!));
      let sq = 0;
      (["grad_P_steps", "grad_A_steps", "grad_B_steps"] as const).forEach((name, i) => {
        const c = compare(grads[i]!, slice(name, k), tol.grad!);
        note("trajectory grad", c.maxAbs);
        expect(c.bad, `${name}[${k}] max |diff| ${c.maxAbs}`).toBe(0);
        for (const g of grads[i]!) sq += g * g;
      });
      const gt = tol.grad_norm!;
      expect(Math.abs(Math.sqrt(sq) - norms[k]!)).toBeLessThanOrEqual(gt.atol + gt.rtol * norms[k]!);
    }
  });

  it("adapter_final gives final_loss", async () => {
    const fin = (await loadAdapter(model, join(FIXTURES, "golden", "t5-tiny", "f_dept_train", "adapter_final"))) as DeptModel;
    expect(Array.from(fin.prompt.dataSync())).toEqual(Array.from(gc.get("P_final").data));
    const loss = tf.tidy(() => fin.forward(batch).loss!.dataSync()[0]!);
    const ref = gc.json.final_loss as number;
    expect(Math.abs(loss - ref)).toBeLessThanOrEqual(tol.train_loss!.atol + tol.train_loss!.rtol * ref);
    fin.dispose();
  });
});
