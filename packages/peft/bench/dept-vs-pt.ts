// Benchmark: the paper's efficiency claim (spec §1, §2, §6) — DePT (PROMPT_TUNING_LORA, m = 60 prompt tokens plus a
// rank-r update of the s input embeddings) against vanilla prompt tuning with 100 tokens (PROMPT_TUNING) at (as
// near as the parameter-matching helper allows) the same trainable-parameter count. The encoder sees m + s tokens
// instead of 100 + s, so one training step and one eval forward should be cheaper by roughly (m+s)/(100+s) to
// ((m+s)/(100+s))^2 (linear layers vs attention). Model: t5-small shape with seeded random weights, built in memory
// through @dept/models' checkpoint import (as packages/models/bench/forward.ts does).
// Writes bench-results/dept-vs-pt.{json,md}. Run: pnpm --filter @dept/peft bench [-- --backend wasm|cpu|...]
// Flags: --backend (default: @dept/runtime's default, wasm), --layers N (encoder = decoder layers, default 6),
// --repeats N (timed reps per method, default 3), --batch N (default 2), --checkpoint (activation checkpointing).
import * as tf from "@tensorflow/tfjs";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { disposeModel, modelFromCheckpoint, parseT5Config, type LoadedModel } from "@dept/models";
import { initBackend } from "@dept/runtime";
// The shared bench generator of @dept/models (bench code, deliberately not part of its public API).
import { randomT5Checkpoint } from "../../models/bench/random-t5.ts";
import {
  DEFAULT_PT_LENGTH,
  deptRankFor,
  deptTrainableParams,
  getPeftModel,
  matchedPairs,
  promptTuningConfig,
  promptTuningLoRAConfig,
  type PeftBatch,
  type PeftModel,
} from "../src/index.ts";

// `pnpm bench -- --flag` passes the "--" through; drop it.
const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
const { values: args } = parseArgs({
  args: argv,
  options: {
    backend: { type: "string" },
    layers: { type: "string", default: "6" },
    repeats: { type: "string", default: "3" },
    batch: { type: "string", default: "2" },
    checkpoint: { type: "boolean", default: false },
  },
});
function intFlag(name: string, raw: string, min: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: got ${JSON.stringify(raw)}; expected an integer >= ${min}`);
  return v;
}
const LAYERS = intFlag("layers", args.layers, 1);
const REPEATS = intFlag("repeats", args.repeats, 1);
const BATCH = intFlag("batch", args.batch, 1);
const CHECKPOINT = args.checkpoint;
/** s = max_seq_length of the spec's t5 runs (§6: 256). */
const SRC_LEN = 256;
const TGT_LEN = 8;
/** DePT's prompt length in the spec's comparison (§6: m = 60, r = 30 on t5-base). */
const DEPT_M = 60;
const SEED = 1234;

// google-t5/t5-small config.json (d_model 512, 8 heads, d_kv 64, d_ff 2048, relu, vocab 32128); layers from --layers.
const T5_SMALL = {
  model_type: "t5", vocab_size: 32128, d_model: 512, d_kv: 64, d_ff: 2048, num_layers: LAYERS, num_decoder_layers: LAYERS,
  num_heads: 8, relative_attention_num_buckets: 32, relative_attention_max_distance: 128, feed_forward_proj: "relu",
  dropout_rate: 0.1, layer_norm_epsilon: 1e-6, pad_token_id: 0, eos_token_id: 1, decoder_start_token_id: 0,
};

/** A t5-small-shaped model with seeded random weights (the generator packages/models/bench/forward.ts uses). */
function randomT5(): LoadedModel {
  return modelFromCheckpoint(parseT5Config(T5_SMALL, "bench t5-small config"), randomT5Checkpoint(T5_SMALL, SEED), "bench random checkpoint");
}

function seededInts(shape: [number, number], lo: number, hi: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => tf.randomUniform(shape, lo, hi, "int32", seed));
}

interface Method {
  name: string;
  encoderTokens: number;
  pm: PeftModel;
  vars: tf.Variable[];
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Wall and process CPU time (user + system, all threads) of fn. */
function measure(fn: () => void): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

/** One training step: loss forward (dropout on, as in training) + gradients wrt the adapter's variables only. */
function trainStep(m: Method, batch: PeftBatch, seed: number): number {
  let held = 0;
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => m.pm.forward(batch, { training: true, seed, checkpoint: CHECKPOINT }).loss!, m.vars);
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
    held = tf.memory().numBytes; // bytes alive at the end of the step, before the tidy frees them
  });
  return held;
}

function evalForward(m: Method, batch: PeftBatch): void {
  tf.tidy(() => {
    m.pm.forward(batch).loss!.dataSync();
  });
}

/** Peak tf.memory().numBytes over fn, sampled after every kernel (tf.profile), in a separate untimed run. */
async function peakBytes(fn: () => void): Promise<number> {
  // The profiler reads every kernel output back to check for NaNs unless told not to; that only costs time here.
  const check = tf.env().getBool("CHECK_COMPUTATION_FOR_ERRORS");
  tf.env().set("CHECK_COMPUTATION_FOR_ERRORS", false);
  try {
    return (await tf.profile(fn)).peakBytes;
  } finally {
    tf.env().set("CHECK_COMPUTATION_FOR_ERRORS", check);
  }
}

function stats(xs: number[]): { median: number; min: number; all: number[] } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, all: xs };
}

function gitCommit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const info = await initBackend(args.backend);
  console.log(`backend ${info.backend} (threads ${info.threads ?? "n/a"}; ${info.detail})`);
  const model = randomT5();
  const d = T5_SMALL.d_model;

  // Parameter matching (spec §2): r for m = 60 from the helper; exact when (100 - m) d / (s + d) is an integer.
  const budget = { ptLength: DEFAULT_PT_LENGTH, maxLength: SRC_LEN, tokenDim: d };
  const exactR = deptRankFor(DEPT_M, budget);
  const r = Math.max(1, Math.round(exactR));
  const pairs = matchedPairs(budget);
  const nearestExact = pairs.reduce<(typeof pairs)[number] | undefined>((best, p) => (best === undefined || Math.abs(p.m - DEPT_M) < Math.abs(best.m - DEPT_M) ? p : best), undefined);

  const ptPm = getPeftModel(model, promptTuningConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: DEFAULT_PT_LENGTH, promptTuningInit: "RANDOM" }), { seed: SEED });
  const deptPm = getPeftModel(model, promptTuningLoRAConfig({ taskType: "SEQ_2_SEQ_LM", numVirtualTokens: DEPT_M, r, maxLength: SRC_LEN, promptTuningInit: "RANDOM" }), { seed: SEED });
  const methods: Method[] = [
    { name: `PT-${DEFAULT_PT_LENGTH}`, encoderTokens: DEFAULT_PT_LENGTH + SRC_LEN, pm: ptPm, vars: [...ptPm.trainable.values()] },
    { name: `DePT (m=${DEPT_M}, r=${r})`, encoderTokens: DEPT_M + SRC_LEN, pm: deptPm, vars: [...deptPm.trainable.values()] },
  ];
  const trainable = methods.map((m) => m.pm.parameterCounts().trainable);
  if (trainable[1] !== deptTrainableParams(DEPT_M, r, SRC_LEN, d)) throw new Error(`DePT trainable ${trainable[1]} != m*d + s*r + r*d`);
  console.log(`trainable params: ${methods[0]!.name} ${trainable[0]}, ${methods[1]!.name} ${trainable[1]} (exact r for m=${DEPT_M}: ${exactR.toFixed(3)}` +
    `${nearestExact === undefined ? "" : `; nearest exactly matched pair m=${nearestExact.m}, r=${nearestExact.r}`})`);

  const inputIds = seededInts([BATCH, SRC_LEN], 2, T5_SMALL.vocab_size, SEED);
  const attentionMask = tf.ones<tf.Rank.R2>([BATCH, SRC_LEN], "int32");
  const labels = seededInts([BATCH, TGT_LEN], 2, T5_SMALL.vocab_size, SEED + 1);
  const batch: PeftBatch = { inputIds, attentionMask, labels };
  const tensorsBefore = tf.memory().numTensors;

  const train = methods.map(() => ({ wall: [] as number[], cpu: [] as number[], heldBytes: 0 }));
  const evals = methods.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  // Interleaved (PT, DePT, PT, DePT, ...): rep 0 is the warm-up (kernel set-up, heap growth), not recorded.
  for (let rep = 0; rep <= REPEATS; rep++) {
    methods.forEach((m, i) => {
      let held = 0;
      const s = measure(() => { held = trainStep(m, batch, SEED + rep); });
      console.log(`${rep === 0 ? "warm-up" : `rep ${rep}`} train ${m.name}: ${s.wallMs.toFixed(0)} ms wall, ${s.cpuMs.toFixed(0)} ms cpu`);
      if (rep > 0) { train[i]!.wall.push(s.wallMs); train[i]!.cpu.push(s.cpuMs); }
      train[i]!.heldBytes = held;
    });
  }
  for (let rep = 0; rep <= REPEATS; rep++) {
    methods.forEach((m, i) => {
      const s = measure(() => evalForward(m, batch));
      console.log(`${rep === 0 ? "warm-up" : `rep ${rep}`} eval ${m.name}: ${s.wallMs.toFixed(0)} ms wall, ${s.cpuMs.toFixed(0)} ms cpu`);
      if (rep > 0) { evals[i]!.wall.push(s.wallMs); evals[i]!.cpu.push(s.cpuMs); }
    });
  }
  // Everything alive between steps: frozen weights, adapters, the batch. Peak minus this = the step's own memory.
  const residentBytes = tf.memory().numBytes;
  const peakTrain: number[] = [];
  const peakEval: number[] = [];
  for (const m of methods) {
    peakTrain.push(await peakBytes(() => { trainStep(m, batch, SEED); }));
    peakEval.push(await peakBytes(() => evalForward(m, batch)));
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) throw new Error(`the measured steps leaked ${leaked} tensors`);
  const wasmHeapMiB = (() => {
    const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
    return backend.wasm === undefined ? null : Math.round(backend.wasm.HEAPU8.length / 2 ** 20);
  })();

  const rows = methods.map((m, i) => ({
    method: m.name,
    peftType: m.pm.config.peftType,
    encoderTokens: m.encoderTokens,
    trainableParams: trainable[i]!,
    trainWallMs: stats(train[i]!.wall),
    trainCpuMs: stats(train[i]!.cpu),
    trainPeakBytes: peakTrain[i]!,
    trainPeakAboveResidentBytes: peakTrain[i]! - residentBytes,
    trainHeldBytesAtEnd: train[i]!.heldBytes,
    evalWallMs: stats(evals[i]!.wall),
    evalCpuMs: stats(evals[i]!.cpu),
    evalPeakBytes: peakEval[i]!,
    evalPeakAboveResidentBytes: peakEval[i]! - residentBytes,
  }));
  const [pt, dept] = rows as [(typeof rows)[number], (typeof rows)[number]];
  const ratio = (a: number, b: number): number => a / b;
  const ratios = {
    trainWallMedian: ratio(dept.trainWallMs.median, pt.trainWallMs.median),
    trainWallMin: ratio(dept.trainWallMs.min, pt.trainWallMs.min),
    trainCpuMedian: ratio(dept.trainCpuMs.median, pt.trainCpuMs.median),
    trainPeakBytes: ratio(dept.trainPeakBytes, pt.trainPeakBytes),
    trainPeakAboveResidentBytes: ratio(dept.trainPeakAboveResidentBytes, pt.trainPeakAboveResidentBytes),
    evalWallMedian: ratio(dept.evalWallMs.median, pt.evalWallMs.median),
    evalWallMin: ratio(dept.evalWallMs.min, pt.evalWallMs.min),
    evalCpuMedian: ratio(dept.evalCpuMs.median, pt.evalCpuMs.median),
    evalPeakBytes: ratio(dept.evalPeakBytes, pt.evalPeakBytes),
    evalPeakAboveResidentBytes: ratio(dept.evalPeakAboveResidentBytes, pt.evalPeakAboveResidentBytes),
  };
  const tokenRatio = dept.encoderTokens / pt.encoderTokens;
  const expected = { linear: tokenRatio, quadratic: tokenRatio ** 2 };
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version };
  const setup = {
    model: `t5-small shape (d 512, ${LAYERS}+${LAYERS} layers, 8 heads, d_kv 64, d_ff 2048, vocab 32128), seeded random weights, dropout 0.1 in the train step`,
    batch: BATCH, srcLen: SRC_LEN, tgtLen: TGT_LEN, repeats: REPEATS, warmup: 1, interleaved: true, activationCheckpointing: CHECKPOINT,
    exactRank: exactR, nearestExactPair: nearestExact ?? null,
  };
  const report = { date: new Date().toISOString(), commit: gitCommit(), backend: info, machine, setup, residentBytes, rows, ratios, expected, leakedTensors: leaked, wasmHeapMiB, totalSeconds: (performance.now() - started) / 1000 };

  const dir = fileURLToPath(new URL("../bench-results", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/dept-vs-pt.json`, `${JSON.stringify(report, null, 2)}\n`);
  const ms = (x: number): string => x.toFixed(0);
  const mib = (x: number): string => (x / 2 ** 20).toFixed(1);
  const r2 = (x: number): string => x.toFixed(3);
  const md = [
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}; backend ${info.backend}, threads ${info.threads ?? "n/a"}; ` +
      `${report.date.slice(0, 10)}; commit ${report.commit}.`,
    "",
    `${setup.model}; batch ${BATCH}, s = ${SRC_LEN}, target length ${TGT_LEN}; activation checkpointing ${CHECKPOINT ? "on" : "off"}. ` +
      `Train step = forward + backward wrt the adapter variables (tf.variableGrads). 1 warm-up + ${REPEATS} timed reps per method, ` +
      `interleaved PT, DePT, PT, DePT, ... CPU = process user + system time. Peak = max tf.memory().numBytes after each kernel ` +
      `(tf.profile, separate untimed run), shown as total / above the ${mib(residentBytes)} MiB resident between steps (frozen weights, adapters, batch).`,
    "",
    "| | encoder tokens | trainable params | train wall median / min (ms) | train CPU median (ms) | train peak total / step (MiB) | eval wall median / min (ms) | eval CPU median (ms) | eval peak total / step (MiB) |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map((x) => `| ${x.method} | ${x.encoderTokens} | ${x.trainableParams.toLocaleString("en-US")} | ${ms(x.trainWallMs.median)} / ${ms(x.trainWallMs.min)} | ${ms(x.trainCpuMs.median)} | ${mib(x.trainPeakBytes)} / ${mib(x.trainPeakAboveResidentBytes)} | ${ms(x.evalWallMs.median)} / ${ms(x.evalWallMs.min)} | ${ms(x.evalCpuMs.median)} | ${mib(x.evalPeakBytes)} / ${mib(x.evalPeakAboveResidentBytes)} |`),
    `| **DePT / PT** | ${r2(tokenRatio)} | ${r2(dept.trainableParams / pt.trainableParams)} | ${r2(ratios.trainWallMedian)} / ${r2(ratios.trainWallMin)} | ${r2(ratios.trainCpuMedian)} | ${r2(ratios.trainPeakBytes)} / ${r2(ratios.trainPeakAboveResidentBytes)} | ${r2(ratios.evalWallMedian)} / ${r2(ratios.evalWallMin)} | ${r2(ratios.evalCpuMedian)} | ${r2(ratios.evalPeakBytes)} / ${r2(ratios.evalPeakAboveResidentBytes)} |`,
    "",
    `Token-count prediction: (${dept.encoderTokens}/${pt.encoderTokens}) = ${r2(expected.linear)} (linear in length), ^2 = ${r2(expected.quadratic)} (attention).`,
    `Rank: exact r for m = ${DEPT_M}, d = ${d}, s = ${SRC_LEN} is ${exactR.toFixed(3)}; rounded to ${r}` +
      (nearestExact === undefined ? "." : ` (nearest exactly matched pair: m = ${nearestExact.m}, r = ${nearestExact.r}, ${nearestExact.params.toLocaleString("en-US")} params).`),
    `Whole run: ${report.totalSeconds.toFixed(0)} s; WASM heap at the end: ${wasmHeapMiB ?? "n/a"} MiB; tensors leaked: ${leaked}.`,
    "",
  ].join("\n");
  writeFileSync(`${dir}/dept-vs-pt.md`, `# DePT vs PT-100 benchmark\n\n${md}`);
  console.log(`\n${md}`);
  tf.dispose([inputIds, attentionMask, labels]);
  for (const m of methods) m.pm.dispose();
  disposeModel(model);
}

await main();
