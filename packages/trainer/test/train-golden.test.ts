// End to end: train() (what `dept train` runs) reproduces the golden DePT trajectory t5-tiny/f_dept_train
// through @dept/datasets (RTE template, T5 collation of examples.jsonl), the real T5 tokenizer, the frozen T5
// of @dept/models, the DePT adapter of @dept/peft (initialised from adapter_init via --peft_model_id) and this
// package's optimizer/schedule/clipping: per-step loss, both lrs, grad norm, final P/A/B, for torch AdamW,
// the legacy transformers.AdamW and clip_low; and a resumed run ends at the same adapter.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSafetensors } from "@dept/runtime";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveTrainingArguments, train, TRAIN_LOG_FILE, type TrainingArguments } from "../src/index.ts";
import { useTestBackend } from "./helpers/backend.ts";
import { CASE_DIR, compare, loadGoldenCase, tensor, type GoldenCase } from "./helpers/golden.ts";

const T5_DIR = fileURLToPath(new URL("./fixtures/t5-tiny/", import.meta.url));
let c: GoldenCase;

beforeAll(async () => {
  await useTestBackend();
  c = await loadGoldenCase();
});

async function goldenArgs(over: Record<string, unknown> = {}): Promise<TrainingArguments> {
  const og = c.json.optimizer;
  return resolveTrainingArguments({
    model_name_or_path: T5_DIR,
    task_name: "rte",
    data_dir: join(CASE_DIR, "data"),
    output_dir: await mkdtemp(join(tmpdir(), "dept-train-golden-")),
    peft_model_id: join(CASE_DIR, "adapter_init"),
    max_seq_length: 24,
    prefix_length: 4,
    r: 3,
    learning_rate: og.param_groups[0]!.lr,
    lora_embedding_lr: og.param_groups[1]!.lr,
    warmup_steps: c.json.scheduler.num_warmup_steps,
    max_steps: c.json.scheduler.num_training_steps,
    per_device_train_batch_size: 8,
    max_grad_norm: c.json.clip_grad_norm,
    optim: "adamw_torch",
    logging_steps: 1,
    save_strategy: "no",
    shuffle_train: false,
    do_train: true,
    backend: "wasm",
    ...over,
  });
}

interface StepRecord {
  type: string;
  step: number;
  loss: number;
  learning_rates: number[];
  grad_norm: number;
  clip_coef: number;
}

async function steps(outputDir: string): Promise<StepRecord[]> {
  const text = await readFile(join(outputDir, TRAIN_LOG_FILE), "utf8");
  return text.trim().split("\n").map((l) => JSON.parse(l) as StepRecord).filter((r) => r.type === "step");
}

async function finalAdapter(dir: string): Promise<Record<"P" | "A" | "B", Float32Array>> {
  const { tensors } = await readSafetensors(join(dir, "adapter_model.safetensors"));
  const get = (k: string) => tensors.get(k)!.data as Float32Array;
  return { P: get("prompt_embeddings"), A: get("prompt_encoder.lora_embedding_A"), B: get("prompt_encoder.lora_embedding_B") };
}

const quiet = { write: () => undefined, isTTY: false };

describe("train() reproduces golden f_dept_train", () => {
  it("torch AdamW: loss, lrs, grad norm per step; final P/A/B; HF output files", async () => {
    const args = await goldenArgs();
    const r = await train(args, quiet);
    const tol = c.json.tolerances;
    const recs = await steps(args.output_dir);
    expect(recs.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const worst = { loss: 0, lr: 0, norm: 0, P: 0, A: 0, B: 0 };
    recs.forEach((s, k) => {
      const l = compare([s.loss], [tensor(c, "loss").data[k]!], tol.train_loss);
      expect(l.worstExcess, `loss step ${k}: ${s.loss}`).toBeLessThanOrEqual(0);
      const lr = compare(s.learning_rates, [c.json.lr_P[k]!, c.json.lr_AB[k]!], tol.lr);
      expect(lr.worstExcess, `lrs step ${k}`).toBeLessThanOrEqual(0);
      const g = compare([s.grad_norm], [tensor(c, "grad_norm").data[k]!], tol.grad_norm);
      expect(g.worstExcess, `grad_norm step ${k}`).toBeLessThanOrEqual(0);
      worst.loss = Math.max(worst.loss, l.maxAbs);
      worst.lr = Math.max(worst.lr, lr.maxAbs);
      worst.norm = Math.max(worst.norm, g.maxAbs);
    });
    const fin = await finalAdapter(args.output_dir);
    for (const n of ["P", "A", "B"] as const) {
      const d = compare(fin[n], tensor(c, `${n}_final`).data, tol.train_params);
      expect(d.worstExcess, `${n}_final max |diff| ${d.maxAbs}`).toBeLessThanOrEqual(0);
      worst[n] = d.maxAbs;
    }
    console.log(`[train() torch AdamW] max |diff|: ${JSON.stringify(worst)}`);
    // the adapter folder is peft's format: same adapter_config.json as the golden's final adapter
    expect(await readFile(join(args.output_dir, "adapter_config.json"), "utf8")).toBe(await readFile(join(CASE_DIR, "adapter_final", "adapter_config.json"), "utf8"));
    expect(r.results.train).toMatchObject({ epoch: 6, train_samples: 8 });
    const state = JSON.parse(await readFile(join(args.output_dir, "trainer_state.json"), "utf8")) as { global_step: number; log_history: Record<string, number>[] };
    expect(state.global_step).toBe(6);
    // HF logs the lr after the scheduler step: the lr of the next update (lr_P[k + 1]; 0 after the last step).
    const logged = state.log_history.filter((e) => "loss" in e).map((e) => e.learning_rate);
    expect(logged).toEqual([...c.json.lr_P.slice(1), 0]);
    for (const f of ["train_results.json", "all_results.json", "training_args.json"]) expect(JSON.parse(await readFile(join(args.output_dir, f), "utf8"))).toBeTruthy();
  });

  it("legacy transformers.AdamW (--optim adamw_hf, the reference): losses, grad norms, final P/A/B", async () => {
    const args = await goldenArgs({ optim: "adamw_hf" });
    await train(args, quiet);
    const tol = c.json.tolerances;
    const recs = await steps(args.output_dir);
    recs.forEach((s, k) => {
      expect(compare([s.loss], [tensor(c, "hf_adamw.loss").data[k]!], tol.train_loss).worstExcess, `loss ${k}`).toBeLessThanOrEqual(0);
      expect(compare([s.grad_norm], [tensor(c, "hf_adamw.grad_norm").data[k]!], tol.grad_norm).worstExcess, `norm ${k}`).toBeLessThanOrEqual(0);
    });
    const fin = await finalAdapter(args.output_dir);
    const worst: Record<string, number> = {};
    for (const n of ["P", "A", "B"] as const) {
      const d = compare(fin[n], tensor(c, `hf_adamw.${n}_final`).data, tol.train_params);
      expect(d.worstExcess, `${n} ${d.maxAbs}`).toBeLessThanOrEqual(0);
      worst[n] = d.maxAbs;
    }
    console.log(`[train() legacy AdamW] final max |diff|: ${JSON.stringify(worst)}`);
  });

  it("clip_low (--max_grad_norm 0.26): clipping on steps 0-3, losses and final parameters", async () => {
    const args = await goldenArgs({ max_grad_norm: c.json.clip_low.max_grad_norm });
    await train(args, quiet);
    const tol = c.json.tolerances;
    const recs = await steps(args.output_dir);
    recs.forEach((s, k) => {
      expect(compare([s.loss], [tensor(c, "clip_low.loss").data[k]!], tol.train_loss).worstExcess, `loss ${k}`).toBeLessThanOrEqual(0);
      expect(s.clip_coef < 1).toBe(c.json.clip_low.clipping_active_steps.includes(k));
    });
    const fin = await finalAdapter(args.output_dir);
    const lastSnap = (n: string) => {
      const t = tensor(c, `clip_low.${n}_steps`);
      const size = t.shape.slice(1).reduce((a, b) => a * b, 1);
      return (t.data as Float32Array).slice(6 * size, 7 * size);
    };
    for (const n of ["P", "A", "B"] as const) expect(compare(fin[n], lastSnap(n), tol.train_params).worstExcess, n).toBeLessThanOrEqual(0);
  });

  it("--resume_from_checkpoint continues to the same final adapter as an uninterrupted run", async () => {
    const full = await goldenArgs({ save_strategy: "steps", save_steps: 3 });
    await train(full, quiet);
    const resumed = await goldenArgs({ resume_from_checkpoint: join(full.output_dir, "checkpoint-3") });
    await train(resumed, quiet);
    const a = await finalAdapter(full.output_dir);
    const b = await finalAdapter(resumed.output_dir);
    expect(Array.from(b.P)).toEqual(Array.from(a.P));
    expect(Array.from(b.A)).toEqual(Array.from(a.A));
    expect(Array.from(b.B)).toEqual(Array.from(a.B));
    const recs = await steps(resumed.output_dir);
    expect(recs.map((s) => s.step)).toEqual([4, 5, 6]);
  });
});

describe("train() with --gradient_checkpointing", () => {
  it("gives the same trajectory (blocks recomputed in the backward)", async () => {
    const args = await goldenArgs({ gradient_checkpointing: true, max_steps: 6 });
    await train(args, quiet);
    const tol = c.json.tolerances;
    const recs = await steps(args.output_dir);
    recs.forEach((s, k) => expect(compare([s.loss], [tensor(c, "loss").data[k]!], tol.train_loss).worstExcess, `loss ${k}`).toBeLessThanOrEqual(0));
    const fin = await finalAdapter(args.output_dir);
    for (const n of ["P", "A", "B"] as const) expect(compare(fin[n], tensor(c, `${n}_final`).data, tol.train_params).worstExcess, n).toBeLessThanOrEqual(0);
  });
});

describe("train() evaluation, best model and final evaluation", () => {
  it("evaluates with generation, keeps the best checkpoint, reloads it and writes eval/test results", async () => {
    const args = await goldenArgs({
      max_steps: 4,
      warmup_steps: 1,
      per_device_train_batch_size: 4,
      per_device_eval_batch_size: 3,
      shuffle_train: true,
      eval_strategy: "steps",
      eval_steps: 2,
      save_strategy: "steps",
      save_steps: 2,
      save_total_limit: 1,
      load_best_model_at_end: true,
      do_eval: true,
      do_predict: true,
      generation_max_length: 5,
    });
    const r = await train(args, quiet);
    const state = JSON.parse(await readFile(join(args.output_dir, "trainer_state.json"), "utf8")) as {
      best_metric: number;
      best_model_checkpoint: string;
      log_history: Record<string, number>[];
    };
    const evals = state.log_history.filter((e) => "eval_accuracy" in e);
    expect(evals.map((e) => e.step)).toEqual([2, 4]);
    // rte: accuracy is the selection metric (train.py overrides metric_for_best_model); the first best wins ties.
    const best = evals.reduce((a, b) => (b.eval_accuracy! > a.eval_accuracy! ? b : a));
    expect(state.best_metric).toBe(best.eval_accuracy);
    expect(state.best_model_checkpoint).toBe(join(args.output_dir, `checkpoint-${best.step}`));
    // the final adapter is the best checkpoint's, and re-evaluating it gives the logged score
    const bestAdapter = await finalAdapter(state.best_model_checkpoint);
    const final = await finalAdapter(args.output_dir);
    expect(Array.from(final.P)).toEqual(Array.from(bestAdapter.P));
    expect(r.results.eval!.eval_accuracy).toBe(best.eval_accuracy);
    expect(r.results.eval!.eval_loss).toBeCloseTo(best.eval_loss!, 5);
    // predictions file and metrics agree: rte validation = first half of the shuffled validation split (4 of 8)
    const preds = (await readFile(join(args.output_dir, "eval_predictions.txt"), "utf8")).split("\n").slice(0, -1);
    expect(preds).toHaveLength(4);
    const all = JSON.parse(await readFile(join(args.output_dir, "all_results.json"), "utf8")) as Record<string, number>;
    expect(Object.keys(all).sort()).toEqual(
      [
        "epoch", "eval_accuracy", "eval_loss", "eval_runtime", "eval_samples_per_second", "eval_steps_per_second",
        "test_accuracy", "test_loss", "test_runtime", "test_samples_per_second", "test_steps_per_second",
        "train_loss", "train_runtime", "train_samples", "train_samples_per_second", "train_steps_per_second",
      ].sort(),
    );
    expect(all.epoch).toBe(2);
  });

  it("refuses a --peft_model_id whose max_length differs from --max_seq_length (A has s rows)", async () => {
    const args = await goldenArgs({ max_seq_length: 32 });
    await expect(train(args, quiet)).rejects.toThrow(/trained with max_length 24 .* pass --max_seq_length 24, got 32/);
  });

  it("stops with NonFiniteLossError on a diverging run", async () => {
    const args = await goldenArgs({ learning_rate: 1e38, lora_embedding_lr: 1e38, warmup_steps: 0, max_grad_norm: 0 });
    await expect(train(args, quiet)).rejects.toThrow(/training stopped at step \d+: loss is (NaN|Infinity|-Infinity) \(non-finite\)/);
  });
});

describe("train() with the other adapter types", () => {
  for (const peft of ["PROMPT_TUNING", "LORA"] as const) {
    it(`${peft}: trains from a fresh adapter, one lr group, and resumes to the same adapter`, async () => {
      const over = { peft_type: peft, peft_model_id: null, r: peft === "LORA" ? 2 : null, lora_embedding_lr: null, learning_rate: peft === "LORA" ? 0.01 : 0.3, max_steps: 3, save_strategy: "steps", save_steps: 2 };
      const full = await goldenArgs(over);
      const messages: string[] = [];
      await train(full, { write: (t) => messages.push(t), isTTY: false });
      expect(messages.join("")).toMatch(/optimizer adamw_torch: trainable \[[^\]]+\] lr (0\.01|0\.3); weight decay applied 0/);
      const config = JSON.parse(await readFile(join(full.output_dir, "adapter_config.json"), "utf8")) as { peft_type: string };
      expect(config.peft_type).toBe(peft);
      const resumed = await goldenArgs({ ...over, resume_from_checkpoint: join(full.output_dir, "checkpoint-2") });
      await train(resumed, quiet);
      const a = (await readSafetensors(join(full.output_dir, "adapter_model.safetensors"))).tensors;
      const b = (await readSafetensors(join(resumed.output_dir, "adapter_model.safetensors"))).tensors;
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [k, t] of a) expect(Array.from(b.get(k)!.data), k).toEqual(Array.from(t.data));
      const init = (await readSafetensors(join(full.output_dir, "checkpoint-2", "adapter_model.safetensors"))).tensors;
      expect([...init.values()].some((t, i) => Array.from(t.data).join() !== Array.from([...a.values()][i]!.data).join())).toBe(true);
    });
  }
});
