// `dept train`: the golden DePT trajectory (t5-tiny/f_dept_train) through the CLI in-process, a JSON config
// file argument, usage errors (exit 2), and one real subprocess run via tsx. The model, golden case and data
// are @dept/trainer's test fixtures (packages/trainer/test/fixtures, see the README there).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readSafetensors } from "@dept/runtime";
import { TRAIN_ARGS } from "@dept/trainer";
import { describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { TRAIN_FLAGS } from "../src/train-flags.ts";
import { capture } from "./helpers/capture.ts";

const TRAINER_FIXTURES = fileURLToPath(new URL("../../trainer/test/fixtures/", import.meta.url));
const CASE = join(TRAINER_FIXTURES, "f_dept_train");
const T5 = join(TRAINER_FIXTURES, "t5-tiny");
const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

/** The golden case's setting as flags (case.json: m 4, r 3, s 24, lrs 0.3 / 0.005, warmup 2, 6 steps, clip 1). */
const goldenFlags = (outputDir: string, extra: string[] = []) => [
  "train",
  "--model_name_or_path", T5,
  "--task_name", "rte",
  "--data_dir", join(CASE, "data"),
  "--output_dir", outputDir,
  "--peft_type", "PROMPT_TUNING_LORA",
  "--peft_model_id", join(CASE, "adapter_init"),
  "--prefix_length", "4",
  "--r", "3",
  "--max_seq_length", "24",
  "--learning_rate", "3e-1",
  "--lora_embedding_lr", "5e-3",
  "--warmup_steps", "2",
  "--max_steps", "6",
  "--per_device_train_batch_size", "8",
  "--weight_decay", "1e-5",
  "--logging_steps", "1",
  "--save_strategy", "no",
  "--shuffle_train", "false",
  "--do_train",
  ...extra,
];

interface Tol {
  atol: number;
  rtol: number;
}
interface Golden {
  tolerances: { train_params: Tol; train_loss: Tol; grad_norm: Tol; lr: Tol };
  lr_P: number[];
  lr_AB: number[];
}

describe("TRAIN_FLAGS (CLI, recipes) and the trainer's TRAIN_ARGS", () => {
  it("name the same options with the same defaults and choices", () => {
    const names = (specs: readonly { name: string; aliases?: readonly string[] }[]) => new Set(specs.flatMap((s) => [s.name, ...(s.aliases ?? [])]));
    expect([...names(TRAIN_FLAGS)].sort()).toEqual([...names(TRAIN_ARGS)].sort());
    const byName = new Map(TRAIN_ARGS.flatMap((s) => [s.name as string, ...(s.aliases ?? [])].map((n) => [n, s] as const)));
    for (const f of TRAIN_FLAGS) {
      const a = byName.get(f.name)!;
      expect(a.default ?? null, f.name).toEqual(f.default ?? null);
      expect(a.choices === undefined ? null : [...a.choices].sort(), f.name).toEqual(f.choices === undefined ? null : [...f.choices].sort());
    }
  });
});

describe("dept train (in-process)", () => {
  // One row per golden run of t5-tiny/f_dept_train (case.json): the optimizer flag, the tensors' name prefix
  // and where its final P/A/B live (clip_low records only snapshots: index 6 = after the last step).
  const RUNS = [
    { name: "torch AdamW", flags: ["--optim", "adamw_torch"], prefix: "", final: "final" },
    { name: "legacy transformers.AdamW", flags: ["--optim", "adamw_hf"], prefix: "hf_adamw.", final: "final" },
    { name: "clip_low", flags: ["--optim", "adamw_torch", "--max_grad_norm", "0.26"], prefix: "clip_low.", final: "steps" },
  ] as const;
  it.each(RUNS)("reproduces the golden DePT trajectory ($name): per-step loss, both lrs, grad norm, final P/A/B", async (run) => {
    const out = await mkdtemp(join(tmpdir(), "dept-train-cli-"));
    const c = capture();
    expect(await main([...goldenFlags(out), ...run.flags], c.io), c.err.join("\n")).toBe(0);
    const summary = JSON.parse(c.out[0]!) as { global_step: number; train: Record<string, number> };
    expect(summary.global_step).toBe(6);
    expect(summary.train.train_samples).toBe(8);
    expect(c.err.join("\n")).toContain("--weight_decay 0.00001 ignored");
    const golden = JSON.parse(await readFile(join(CASE, "case.json"), "utf8")) as Golden;
    const ref = (await readSafetensors(join(CASE, "tensors.safetensors"))).tensors;
    const series = (name: string) => ref.get(`${run.prefix}${name}`)!.data;
    const steps = (await readFile(join(out, "train_log.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; loss: number; learning_rates: number[]; grad_norm: number })
      .filter((r) => r.type === "step");
    expect(steps).toHaveLength(6);
    const within = (got: number, want: number, t: { atol: number; rtol: number }) => Math.abs(got - want) <= t.atol + t.rtol * Math.abs(want);
    steps.forEach((s, k) => {
      expect(within(s.loss, series("loss")[k]!, golden.tolerances.train_loss), `loss step ${k}: ${s.loss}`).toBe(true);
      expect(within(s.grad_norm, series("grad_norm")[k]!, golden.tolerances.grad_norm), `grad_norm step ${k}`).toBe(true);
      expect(within(s.learning_rates[0]!, golden.lr_P[k]!, golden.tolerances.lr), `lr_P step ${k}`).toBe(true);
      expect(within(s.learning_rates[1]!, golden.lr_AB[k]!, golden.tolerances.lr), `lr_AB step ${k}`).toBe(true);
    });
    const got = (await readSafetensors(join(out, "adapter_model.safetensors"))).tensors;
    const tol = golden.tolerances.train_params;
    for (const [mine, n] of [["prompt_embeddings", "P"], ["prompt_encoder.lora_embedding_A", "A"], ["prompt_encoder.lora_embedding_B", "B"]] as const) {
      const a = got.get(mine)!.data;
      const whole = series(`${n}_${run.final}`);
      const b = run.final === "steps" ? whole.slice(6 * a.length, 7 * a.length) : whole;
      expect(b.length).toBe(a.length);
      a.forEach((v, i) => expect(Math.abs(v - b[i]!), `${mine}[${i}]`).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(b[i]!)));
    }
  });

  it("takes a single JSON file as the whole configuration", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dept-train-json-"));
    const cfg = join(dir, "config.json");
    await writeFile(
      cfg,
      JSON.stringify({
        model_name_or_path: T5, task_name: "rte", data_dir: join(CASE, "data"), output_dir: join(dir, "out"), peft_model_id: join(CASE, "adapter_init"),
        prefix_length: 4, r: 3, max_seq_length: 24, max_steps: 2, per_device_train_batch_size: 4, logging_steps: 1, save_strategy: "no", do_train: true,
      }),
    );
    const c = capture();
    expect(await main(["train", cfg], c.io), c.err.join("\n")).toBe(0);
    expect((JSON.parse(c.out[0]!) as { global_step: number }).global_step).toBe(2);
  });

  it("exits 2 on unknown flags, bad values, bad config files and mixed --config", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dept-train-bad-"));
    const cases: [string[], RegExp][] = [
      [[...goldenFlags(dir), "--lerning_rate", "1"], /unknown option --lerning_rate/],
      [goldenFlags(dir, ["--optim", "sgd"]), /--optim.*adamw_hf, adamw_torch.*'sgd'/],
      [goldenFlags(dir, ["--max_steps", "ten"]), /--max_steps expects a number, got 'ten'/],
      [goldenFlags(dir, ["--eval_strategy", "sometimes"]), /--evaluation_strategy.*no, steps, epoch/],
      [["train", join(dir, "missing.json")], /cannot read config file .*missing\.json/],
      [["train", join(dir, "x.json"), "--max_steps", "3"], /holds the whole configuration; do not also pass --max_steps/],
      [goldenFlags(dir, ["--load_best_model_at_end", "--eval_strategy", "steps", "--eval_steps", "2", "--save_strategy", "steps", "--save_steps", "3"]), /multiple of --eval_steps/],
    ];
    for (const [argv, re] of cases) {
      const c = capture();
      expect(await main(argv, c.io), argv.join(" ")).toBe(2);
      expect(c.err.join("\n")).toMatch(re);
      expect(c.out).toEqual([]);
    }
  });
});

describe("dept train (subprocess)", () => {
  it("runs through tsx: JSON summary on stdout, progress on stderr", async () => {
    const out = await mkdtemp(join(tmpdir(), "dept-train-sub-"));
    const run = promisify(execFile);
    const flags = goldenFlags(out).map((f) => (f === "6" ? "2" : f));
    const { stdout, stderr } = await run(TSX, ["src/cli.ts", ...flags], { cwd: PACKAGE_ROOT });
    expect((JSON.parse(stdout) as { global_step: number }).global_step).toBe(2);
    expect(stderr).toMatch(/step 2 \| epoch 2 \| loss [0-9.]+ \| lr /);
  });
});
