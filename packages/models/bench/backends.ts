// Benchmark: the same T5 forward and forward+backward on each tfjs backend (default wasm and tensorflow),
// side by side in ONE run, plus a golden parity check on each backend.
//
// Model: random weights (SeededRandom, fixed seed) with t5-small's shapes (d_model 512, d_kv 64, d_ff 2048,
// 6 + 6 layers, 8 heads, vocab 32128, ReLU FF, tied embeddings), built through the public
// modelFromCheckpoint from an HF-keyed tensor map, so no checkpoint download is needed.
// Batch: 8 sequences (2 for one forward+backward mode, see MODES), encoder length 256 = a 60-token soft
// prompt (DePT's prompt length) + 196 token ids, 8 target tokens. "forward" = t5Forward to the loss (eval);
// "forward+backward" = tf.valueAndGrad of that loss with respect to the prompt, i.e. prompt tuning's step
// without the optimizer (the frozen linears' custom gradients compute input gradients only, as in training).
// Parity: the golden a_base_forward cases (t5-tiny, t5-tiny-gated, llama-tiny: logits and loss vs HF
// transformers) and t5-tiny's b_prompt_tuning grad_P, with the tolerances stored in each case.json.
//
// Each backend runs in its own child process (a process holds one tfjs engine; the wasm heap never
// shrinks), on the same seeds, hence identical weights and inputs. The parent writes
// bench-results/backends.{json,md}.
//
// Run: pnpm --filter @dept/models bench:backends      (env: BENCH_BACKENDS=wasm,tensorflow  BENCH_REPEATS=3)
// The tensorflow backend needs @tensorflow/tfjs-node, e.g. built by tools/native-backend/build-tfjs-node.sh
// and named by DEPT_TFJS_NODE_PATH; a backend that cannot start is reported as such, not timed.
import * as tf from "@tensorflow/tfjs";
import { BackendError, SeededRandom, initBackend, type BackendInfo } from "@dept/runtime";
import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  disposeModel,
  embed,
  llamaForward,
  modelFromCheckpoint,
  parseModelConfig,
  t5Forward,
  type CheckpointTensor,
  type LoadedModel,
} from "../src/index.ts";
import { compare, f32, loadCase, loadFixtureModel, tensor, type GoldenCase, type Tol } from "../test/helpers/golden.ts";

// ---------------------------------------------------------------------------------------------------- setup

/** t5-small's config.json (google-t5/t5-small, transformers 4.57) with our field set. */
const T5_SMALL_CONFIG = {
  model_type: "t5",
  vocab_size: 32128,
  d_model: 512,
  d_kv: 64,
  d_ff: 2048,
  num_layers: 6,
  num_decoder_layers: 6,
  num_heads: 8,
  relative_attention_num_buckets: 32,
  relative_attention_max_distance: 128,
  dropout_rate: 0.1,
  layer_norm_epsilon: 1e-6,
  feed_forward_proj: "relu",
  tie_word_embeddings: true,
  pad_token_id: 0,
  eos_token_id: 1,
  decoder_start_token_id: 0,
};
/** What is timed, in this order. forward+backward at batch 8 keeps ~5.3 GiB of tensors alive at its peak
 *  without activation checkpointing (tf.profile on the tensorflow backend), more than the 4 GiB WASM heap, so
 *  at batch 8 it runs with `checkpoint: true` (src/remat.ts: one extra block forward in the backward), as a
 *  training run of that size must on wasm; batch 2 fits without it and is timed plainly. */
const MODES = [
  { mode: "forward", batch: 8, backward: false, checkpoint: false },
  { mode: "forward+backward", batch: 8, backward: true, checkpoint: true },
  { mode: "forward+backward", batch: 2, backward: true, checkpoint: false },
] as const;
const MAX_BATCH = 8;
const PROMPT_LENGTH = 60; // DePT's soft prompt length (spec: prefix_length 60 for T5)
const SOURCE_LENGTH = 256; // encoder positions, prompt included
const TARGET_LENGTH = 8;
const WEIGHT_SEED = 1234;
const INPUT_SEED = 5678;
const DEFAULT_BACKENDS = ["wasm", "tensorflow"];

/** HF-keyed random weights for a T5 config (the keys t5ParamsFromCheckpoint reads). Linear weights
 *  ~ N(0, 1/fan_in), embeddings ~ N(0, 1), norms 1, relative attention biases ~ N(0, 0.1): activations stay
 *  O(1) through 12 layers, so the numbers computed are ordinary floats (no inf/NaN fast paths). */
function randomT5Checkpoint(c: { vocab: number; d: number; dKv: number; dFf: number; heads: number; enc: number; dec: number; buckets: number }, seed: number): Map<string, CheckpointTensor> {
  const rng = new SeededRandom(seed);
  const out = new Map<string, CheckpointTensor>();
  const normal = (key: string, shape: number[], std: number) => {
    out.set(key, { dtype: "F32", shape, data: rng.normalArray(shape[0]! * (shape[1] ?? 1), 0, std) });
  };
  const ones = (key: string, n: number) => out.set(key, { dtype: "F32", shape: [n], data: new Float32Array(n).fill(1) });
  const linear = (key: string, outDim: number, inDim: number) => normal(key, [outDim, inDim], 1 / Math.sqrt(inDim));
  const inner = c.heads * c.dKv;
  const attention = (prefix: string) => {
    for (const n of ["q", "k", "v"]) linear(`${prefix}.${n}.weight`, inner, c.d);
    linear(`${prefix}.o.weight`, c.d, inner);
  };
  const ff = (prefix: string) => {
    linear(`${prefix}.DenseReluDense.wi.weight`, c.dFf, c.d);
    linear(`${prefix}.DenseReluDense.wo.weight`, c.d, c.dFf);
  };
  normal("shared.weight", [c.vocab, c.d], 1);
  for (const stack of ["encoder", "decoder"] as const) {
    normal(`${stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight`, [c.buckets, c.heads], 0.1);
    const layers = stack === "encoder" ? c.enc : c.dec;
    for (let i = 0; i < layers; i++) {
      const b = `${stack}.block.${i}.layer`;
      ones(`${b}.0.layer_norm.weight`, c.d);
      attention(`${b}.0.SelfAttention`);
      if (stack === "encoder") {
        ones(`${b}.1.layer_norm.weight`, c.d);
        ff(`${b}.1`);
      } else {
        ones(`${b}.1.layer_norm.weight`, c.d);
        attention(`${b}.1.EncDecAttention`);
        ones(`${b}.2.layer_norm.weight`, c.d);
        ff(`${b}.2`);
      }
    }
    ones(`${stack}.final_layer_norm.weight`, c.d);
  }
  return out;
}

function t5SmallRandom(): LoadedModel {
  const config = parseModelConfig(T5_SMALL_CONFIG, "bench/backends.ts T5_SMALL_CONFIG");
  if (config.modelType !== "t5") throw new Error("T5_SMALL_CONFIG did not parse as T5");
  const tensors = randomT5Checkpoint(
    { vocab: config.vocabSize, d: config.dModel, dKv: config.dKv, dFf: config.dFf, heads: config.numHeads, enc: config.numLayers, dec: config.numDecoderLayers, buckets: config.relativeAttentionNumBuckets },
    WEIGHT_SEED,
  );
  return modelFromCheckpoint(config, tensors, `random t5-small-shaped weights (seed ${WEIGHT_SEED})`);
}

interface BenchInputs { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; labels: tf.Tensor2D; prompt: tf.Tensor2D }

/** Token ids uniform in [2, vocab) (0 = pad, 1 = eos excluded), row r padded after 256 - 16 r positions
 *  (varied lengths, as a real batch), the prompt ~ N(0, 1) like the embedding rows. Always drawn for
 *  MAX_BATCH rows; a smaller batch takes the first rows, so every mode sees the same data. */
function benchInputs(vocab: number, d: number, batch: number): BenchInputs {
  const rng = new SeededRandom(INPUT_SEED);
  const ids = (n: number) => Int32Array.from({ length: n }, () => 2 + (rng.nextUint32() % (vocab - 2)));
  const tokens = SOURCE_LENGTH - PROMPT_LENGTH;
  const mask = new Int32Array(MAX_BATCH * SOURCE_LENGTH);
  for (let r = 0; r < MAX_BATCH; r++) {
    const valid = SOURCE_LENGTH - 16 * r;
    mask.fill(1, r * SOURCE_LENGTH, r * SOURCE_LENGTH + valid);
  }
  const inputIds = ids(MAX_BATCH * tokens);
  const labels = ids(MAX_BATCH * TARGET_LENGTH);
  return {
    inputIds: tf.tensor2d(inputIds.subarray(0, batch * tokens), [batch, tokens], "int32"),
    attentionMask: tf.tensor2d(mask.subarray(0, batch * SOURCE_LENGTH), [batch, SOURCE_LENGTH], "int32"),
    labels: tf.tensor2d(labels.subarray(0, batch * TARGET_LENGTH), [batch, TARGET_LENGTH], "int32"),
    prompt: tf.tensor2d(rng.normalArray(PROMPT_LENGTH * d, 0, 1), [PROMPT_LENGTH, d]),
  };
}

/** Loss of the prompted batch: inputsEmbeds = [P; embed(ids)] (DePT's encoder input without the LoRA update). */
function promptedLoss(model: LoadedModel, x: BenchInputs, prompt: tf.Tensor2D, checkpoint = false): tf.Scalar {
  const tiled = tf.tile(tf.expandDims<tf.Tensor3D>(prompt, 0), [x.inputIds.shape[0], 1, 1]);
  const inputsEmbeds = tf.concat<tf.Tensor3D>([tiled, embed(model, x.inputIds)], 1);
  return t5Forward(model, { inputsEmbeds, attentionMask: x.attentionMask, labels: x.labels }, { checkpoint }).loss!;
}

// ---------------------------------------------------------------------------------------------------- timing

interface Timing { runs: number; wallMs: number[]; medianMs: number; minMs: number; cpuMsPerRun: number }

/** `warmup` untimed runs (kernel set-up, JIT, allocator), then `repeats` timed ones; CPU = this process's
 *  user + system time (it counts libtensorflow's and XNNPACK's own threads, which the wall time hides). */
function time(fn: () => void, repeats: number, warmup = 1): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const wallMs: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    wallMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const cpu = process.cpuUsage(cpuStart);
  const sorted = [...wallMs].sort((a, b) => a - b);
  return { runs: repeats, wallMs, medianMs: sorted[Math.floor(sorted.length / 2)]!, minMs: sorted[0]!, cpuMsPerRun: (cpu.user + cpu.system) / 1000 / repeats };
}

// ---------------------------------------------------------------------------------------------------- parity

interface ParityRow { check: string; maxAbs: number; bad: number; total: number; pass: boolean }

async function parityChecks(): Promise<ParityRow[]> {
  const rows: ParityRow[] = [];
  const int2d = (c: GoldenCase, name: string) => {
    const t = tensor(c, name);
    return tf.tensor2d(t.data as Int32Array, t.shape as [number, number], "int32");
  };
  const tol = (c: GoldenCase, name: string) => (c.json.tolerances as Record<string, Tol>)[name]!;
  for (const name of ["t5-tiny", "t5-tiny-gated", "llama-tiny"]) {
    const model = await loadFixtureModel(name);
    const c = await loadCase(name, "a_base_forward");
    const [logitsT, lossT] = tf.tidy(() => {
      const inputs = { inputIds: int2d(c, "input_ids"), attentionMask: int2d(c, "attention_mask"), labels: int2d(c, "labels") };
      const o = model.kind === "t5" ? t5Forward(model, inputs) : llamaForward(model, inputs);
      return [o.logits, o.loss!];
    });
    const logits = logitsT.dataSync();
    const loss = lossT.dataSync()[0]!;
    tf.dispose([logitsT, lossT]);
    const ref = f32(tensor(c, "logits"));
    const mask = tensor(c, "attention_mask").data;
    const vocab = ref.shape[2]!;
    // Llama logits at padded query rows are implementation-defined (fully masked): compared where mask == 1, as in test/parity.test.ts.
    const where = model.kind === "llama" ? (i: number) => mask[Math.floor(i / vocab)] === 1 : undefined;
    const lg = compare(logits, ref.data, tol(c, "logits"), where);
    rows.push({ check: `${name} a_base_forward logits`, maxAbs: lg.maxAbs, bad: lg.bad, total: logits.length, pass: lg.bad === 0 });
    const refLoss = c.json.loss as number;
    const lt = tol(c, "loss");
    const dLoss = Math.abs(loss - refLoss);
    rows.push({ check: `${name} a_base_forward loss`, maxAbs: dLoss, bad: dLoss <= lt.atol + lt.rtol * Math.abs(refLoss) ? 0 : 1, total: 1, pass: dLoss <= lt.atol + lt.rtol * Math.abs(refLoss) });
    if (name === "t5-tiny") {
      const b = await loadCase(name, "b_prompt_tuning");
      const p = f32(tensor(b, "P"));
      const P = tf.tensor2d(p.data, p.shape as [number, number]);
      const gradT = tf.tidy(() =>
        tf.grad((q: tf.Tensor) => {
          const ids = int2d(b, "input_ids");
          const tiled = tf.tile(tf.expandDims<tf.Tensor3D>(q as tf.Tensor2D, 0), [ids.shape[0], 1, 1]);
          const inputsEmbeds = tf.concat<tf.Tensor3D>([tiled, embed(model, ids)], 1);
          return t5Forward(model, { inputsEmbeds, attentionMask: int2d(b, "extended_attention_mask"), labels: int2d(b, "labels") }).loss!;
        })(P),
      );
      const grad = gradT.dataSync();
      tf.dispose([gradT, P]);
      const refGrad = f32(tensor(b, "grad_P")).data;
      const gt = (b.json.tolerances as { grad: { atol: number; atol_rel_to_max: number; rtol: number } }).grad;
      const maxRef = refGrad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      let maxAbs = 0;
      let bad = 0;
      refGrad.forEach((r, i) => {
        const d = Math.abs(grad[i]! - r);
        maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
        if (!(d <= gt.atol + gt.atol_rel_to_max * maxRef + gt.rtol * Math.abs(r))) bad++;
      });
      rows.push({ check: `${name} b_prompt_tuning grad_P`, maxAbs, bad, total: refGrad.length, pass: bad === 0 });
    }
    disposeModel(model);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------- child

interface ModeResult {
  mode: string;
  batch: number;
  checkpoint: boolean;
  timing?: Timing;
  error?: string;
  /** Loss of the batch (the same weights and inputs on every backend: the values must agree). */
  loss?: number;
  /** ||d loss / d prompt|| for the backward modes (also a cross-backend check). */
  gradNorm?: number;
  numTensorsLeaked?: number;
}

interface ChildResult {
  requested: string;
  info: BackendInfo;
  modes: ModeResult[];
  parity: ParityRow[];
  setupMs: number;
}

async function child(backend: string, repeats: number): Promise<void> {
  const info = await initBackend(backend);
  const t0 = Date.now();
  const progress = (what: string) =>
    process.stderr.write(`[${info.backend}] ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s, ${(tf.memory().numBytes / 2 ** 20).toFixed(0)} MiB in tensors)\n`);
  // Parity first: it is small, and a later out-of-memory abort must not take it along.
  const parity = await parityChecks();
  progress("golden parity checked");
  const model = t5SmallRandom();
  const setupMs = Date.now() - t0;
  progress("model ready");
  const modes: ModeResult[] = [];
  const emit = () => process.stdout.write(`\n${RESULT_MARK}${JSON.stringify({ requested: backend, info, modes, parity, setupMs } satisfies ChildResult)}\n`);
  for (const m of MODES) {
    const x = benchInputs(T5_SMALL_CONFIG.vocab_size, T5_SMALL_CONFIG.d_model, m.batch);
    const before = tf.memory().numTensors;
    const r: ModeResult = { mode: m.mode, batch: m.batch, checkpoint: m.checkpoint };
    try {
      r.timing = time(() => {
        tf.tidy(() => {
          if (!m.backward) {
            r.loss = promptedLoss(model, x, x.prompt).dataSync()[0]!;
            return;
          }
          const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => promptedLoss(model, x, p as tf.Tensor2D, m.checkpoint))(x.prompt);
          r.loss = value.dataSync()[0]!;
          r.gradNorm = tf.norm(grad).dataSync()[0]!;
        });
      }, repeats);
      r.numTensorsLeaked = tf.memory().numTensors - before;
      progress(`${modeLabel(m)} batch ${m.batch}: median ${r.timing.medianMs.toFixed(0)} ms`);
    } catch (error) {
      r.error = error instanceof Error ? error.message : String(error);
      progress(`${m.mode} batch ${m.batch} failed: ${r.error}`);
      modes.push(r);
      emit(); // a wasm abort leaves the module unusable: report what we have and stop
      return;
    }
    tf.dispose([x.inputIds, x.attentionMask, x.labels, x.prompt]);
    modes.push(r);
  }
  disposeModel(model);
  emit();
}

// ---------------------------------------------------------------------------------------------------- parent

const RESULT_MARK = "BENCH_RESULT ";

interface Failed { requested: string; error: string }

function runChild(backend: string, repeats: number): ChildResult | Failed {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, self, "--child", backend, String(repeats)], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith(RESULT_MARK));
  if (r.status === 0 && line !== undefined) return JSON.parse(line.slice(RESULT_MARK.length)) as ChildResult;
  // libtensorflow logs its start-up lines on stderr: keep the last meaningful one as the reason.
  const reason = r.stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^I0000|^WARNING: All log messages|^To enable the following/.test(l));
  return { requested: backend, error: reason.slice(-3).join(" | ") || `exit status ${r.status}` };
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const cell = (text: string) => text.replaceAll("|", "/");
const modeLabel = (m: { mode: string; checkpoint: boolean }) => (m.checkpoint ? `${m.mode} (checkpoint)` : m.mode);

async function parent(): Promise<void> {
  const backends = (process.env.BENCH_BACKENDS ?? DEFAULT_BACKENDS.join(",")).split(",").map((s) => s.trim()).filter((s) => s !== "");
  const repeats = Number(process.env.BENCH_REPEATS ?? "3");
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`BENCH_REPEATS: expected a positive integer, got ${process.env.BENCH_REPEATS}`);
  const results: (ChildResult | Failed)[] = [];
  for (const b of backends) {
    process.stderr.write(`[bench] ${b}: running (1 warm-up + ${repeats} timed runs per mode)\n`);
    const r = runChild(b, repeats);
    const summary = "error" in r ? `failed: ${r.error}` : r.modes.map((m) => `${modeLabel(m)} b${m.batch} ${m.timing !== undefined ? `${fmt(m.timing.medianMs)} ms` : "failed"}`).join(", ");
    process.stderr.write(`[bench] ${b}: ${summary}\n`);
    results.push(r);
  }
  const ok = results.filter((r): r is ChildResult => !("error" in r));
  const env = {
    node: process.version,
    tfjs: tf.version.tfjs,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: availableParallelism(),
    loadavg1: loadavg()[0],
    date: new Date().toISOString(),
    DEPT_TFJS_NODE_PATH: process.env.DEPT_TFJS_NODE_PATH ?? null,
  };
  const shape = { model: "t5-small shapes, random weights", ...T5_SMALL_CONFIG, modes: MODES, promptLength: PROMPT_LENGTH, sourceLength: SOURCE_LENGTH, targetLength: TARGET_LENGTH, weightSeed: WEIGHT_SEED, inputSeed: INPUT_SEED };
  const dir = join(import.meta.dirname, "..", "bench-results");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "backends.json"), JSON.stringify({ env, shape, repeats, results }, null, 2) + "\n");

  const md: string[] = [
    `# @dept/models backend benchmark (T5 forward / forward+backward)`,
    ``,
    `${env.date}; Node ${env.node}, @tensorflow/tfjs ${env.tfjs}; ${env.cpu}, ${env.cores} cores (1-min load average ${env.loadavg1?.toFixed(1)} at the end).`,
    `Model: t5-small shapes (d_model 512, d_ff 2048, 6+6 layers, 8 heads, vocab 32128), random weights (seed ${WEIGHT_SEED}).`,
    `Encoder length ${SOURCE_LENGTH} = ${PROMPT_LENGTH}-token soft prompt + ${SOURCE_LENGTH - PROMPT_LENGTH} ids; ${TARGET_LENGTH} target tokens.`,
    `forward = loss (eval); forward+backward = loss and its gradient w.r.t. the prompt; (checkpoint) = activation checkpointing. Each backend in its own process, same seeds;`,
    `1 warm-up + ${repeats} timed runs per mode: median wall ms (min in brackets); CPU ms = the process's user + system time per run (all threads).`,
    ``,
    `| backend | mode | batch | wall ms | CPU ms | loss | ‖grad P‖ |`,
    `|---|---|---:|---:|---:|---:|---:|`,
  ];
  for (const r of results) {
    if ("error" in r) {
      md.push(`| ${r.requested} | not available: ${cell(r.error)} | | | | | |`);
      continue;
    }
    for (const m of r.modes) {
      md.push(
        m.timing === undefined
          ? `| ${r.info.backend} | ${modeLabel(m)} | ${m.batch} | failed: ${cell(m.error ?? "?")} | | | |`
          : `| ${r.info.backend} | ${modeLabel(m)} | ${m.batch} | ${fmt(m.timing.medianMs)} (${fmt(m.timing.minMs)}) | ${fmt(m.timing.cpuMsPerRun)} | ${m.loss?.toFixed(5)} | ${m.gradNorm?.toPrecision(6) ?? ""} |`,
      );
    }
  }
  md.push(``, `Backends:`, ``);
  for (const r of ok) md.push(`- ${r.info.backend}: ${r.info.detail}${r.info.threads !== null ? ` (threads reported: ${r.info.threads})` : ""}`);
  md.push(``);
  const base = ok.find((r) => r.requested === "wasm");
  if (base !== undefined && ok.length > 1) {
    md.push(`Ratios against wasm (wasm time / other time, > 1 = faster than wasm):`, ``, `| backend | mode | batch | wall ratio | CPU ratio |`, `|---|---|---:|---:|---:|`);
    for (const r of ok) {
      if (r === base) continue;
      MODES.forEach((m, k) => {
        const a = base.modes[k]?.timing;
        const b = r.modes[k]?.timing;
        const ratio = (x: number | undefined, y: number | undefined) => (x !== undefined && y !== undefined ? `${(x / y).toFixed(2)}x` : "n/a");
        md.push(`| ${r.info.backend} | ${modeLabel(m)} | ${m.batch} | ${ratio(a?.medianMs, b?.medianMs)} | ${ratio(a?.cpuMsPerRun, b?.cpuMsPerRun)} |`);
      });
    }
    md.push(``);
    const spread = MODES.map((m, k) => {
      const losses = ok.map((r) => r.modes[k]?.loss).filter((v): v is number => v !== undefined);
      return losses.length > 1 ? `${modeLabel(m)} b${m.batch} ${(Math.max(...losses) - Math.min(...losses)).toExponential(2)}` : null;
    }).filter((v) => v !== null);
    md.push(`Same weights and inputs on every backend; loss spread (max - min over backends): ${spread.join(", ")}.`, ``);
  }
  md.push(`Golden parity on each backend (HF transformers fixtures in test/fixtures, tolerances from each case.json):`, ``, `| backend | check | max abs diff | out of tolerance | result |`, `|---|---|---:|---:|---|`);
  for (const r of ok) for (const p of r.parity) md.push(`| ${r.info.backend} | ${p.check} | ${p.maxAbs.toExponential(2)} | ${p.bad} / ${p.total} | ${p.pass ? "pass" : "FAIL"} |`);
  md.push(``);
  const leaks = ok.flatMap((r) => r.modes.filter((m) => m.numTensorsLeaked !== undefined && m.numTensorsLeaked !== 0).map((m) => `${r.info.backend} ${m.mode} b${m.batch} +${m.numTensorsLeaked}`));
  if (leaks.length > 0) md.push(`Tensor leaks: ${leaks.join(", ")}`, ``);
  const text = md.join("\n");
  await writeFile(join(dir, "backends.md"), text);
  process.stdout.write(text);
  if (ok.some((r) => r.parity.some((p) => !p.pass)) || leaks.length > 0) process.exitCode = 1;
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") {
  const backend = argv[1] ?? "";
  const repeats = Number(argv[2] ?? "5");
  try {
    await child(backend, repeats);
  } catch (error) {
    process.stderr.write(`${error instanceof BackendError ? "" : "error: "}${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
} else {
  await parent();
}
