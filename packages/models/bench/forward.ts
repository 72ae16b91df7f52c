// Benchmark: T5 forward and forward+backward (gradient wrt inputsEmbeds, the prompt-tuning path) for a
// t5-small-sized config with seeded random weights, plus the attention-product alternatives on the same
// shapes. Writes bench-results/forward.json and bench-results/forward.md. Run: pnpm --filter @dept/models bench
// (env: BENCH_BACKEND=wasm|cpu, BENCH_REPEATS=3, BENCH_ONLY=forward|backward|attention writes forward-<section>.*).
import * as tf from "@tensorflow/tfjs";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { disposeModel, embed, modelFromCheckpoint, parseT5Config, t5Forward } from "../src/index.ts";
import { randomT5Checkpoint } from "./random-t5.ts";

// t5-small (google-t5/t5-small config.json): d_model 512, 6+6 layers, 8 heads, d_kv 64, d_ff 2048, relu, tied.
const CONFIG = {
  model_type: "t5", vocab_size: 32128, d_model: 512, d_kv: 64, d_ff: 2048, num_layers: 6, num_decoder_layers: 6, num_heads: 8,
  relative_attention_num_buckets: 32, relative_attention_max_distance: 128, feed_forward_proj: "relu", dropout_rate: 0.1,
  layer_norm_epsilon: 1e-6, pad_token_id: 0, eos_token_id: 1, decoder_start_token_id: 0,
};
const BATCH = Number(process.env.BENCH_BATCH ?? 8);
const SRC_LEN = Number(process.env.BENCH_SRC_LEN ?? 256);
const TGT_LEN = 8;
const SEED = 1234;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

async function initBackend(): Promise<{ backend: string; threads: number | null }> {
  const wanted = process.env.BENCH_BACKEND ?? "wasm";
  if (wanted === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    await tf.setBackend("wasm");
    await tf.ready();
    return { backend: "wasm", threads: wasm.getThreadsCount() };
  }
  await tf.setBackend(wanted);
  await tf.ready();
  return { backend: wanted, threads: null };
}

function seededInts(n: number, lo: number, hi: number, seed: number): Int32Array {
  return tf.tidy(() => tf.randomUniform([n], lo, hi, "int32", seed).dataSync() as Int32Array);
}

/** The alternative measured against tf.matMul: a [N, T, K] @ b [N, K, S] whose gradient uses explicit transposes. */
function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, y, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul<tf.Tensor3D>(x, y),
      gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor3D, tf.Tensor3D];
        return [tf.matMul(dy, tf.transpose(ys, [0, 2, 1])), tf.matMul(tf.transpose(xs, [0, 2, 1]), dy)];
      },
    };
  });
  return f(a, b);
}

async function time(label: string, fn: () => void): Promise<{ label: string; ms: number[]; medianMs: number }> {
  fn(); // warm-up (kernel setup, XNNPACK operator creation)
  const ms: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`${label}: median ${medianMs.toFixed(0)} ms over ${REPEATS} (${ms.map((m) => m.toFixed(0)).join(", ")})`);
  await Promise.resolve();
  return { label, ms, medianMs };
}

async function main(): Promise<void> {
  const info = await initBackend();
  const config = parseT5Config(CONFIG, "bench t5-small config");
  const model = modelFromCheckpoint(config, randomT5Checkpoint(CONFIG, SEED), "bench random checkpoint");
  const inputIds = tf.tensor2d(seededInts(BATCH * SRC_LEN, 2, config.vocabSize, SEED), [BATCH, SRC_LEN], "int32");
  const attentionMask = tf.ones<tf.Rank.R2>([BATCH, SRC_LEN], "int32");
  const labels = tf.tensor2d(seededInts(BATCH * TGT_LEN, 2, config.vocabSize, SEED + 1), [BATCH, TGT_LEN], "int32");
  const inputsEmbeds = tf.tidy(() => embed(model, inputIds));
  const results = [];
  const heapMb = () => {
    const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
    return backend.wasm !== undefined ? Math.round(backend.wasm.HEAPU8.length / 2 ** 20) : null;
  };
  const only = process.env.BENCH_ONLY; // "forward" | "backward" | "attention" to run one section
  const startTensors = tf.memory().numTensors;

  if (only === undefined || only === "forward") results.push(
    await time("forward (eval, loss)", () => {
      tf.tidy(() => t5Forward(model, { inputsEmbeds, attentionMask, labels }).loss!.dataSync());
    }),
  );
  console.log(`wasm heap after forward: ${heapMb()} MiB`);
  if (only === undefined || only === "backward") results.push(
    await time("forward+backward (train, dropout 0.1, grad wrt inputsEmbeds, activation checkpointing)", () => {
      tf.tidy(() => {
        // Without checkpoint: true this size exceeds the 4 GiB WASM heap (measured: aborts in the backward).
        const g = tf.grad((x: tf.Tensor) => t5Forward(model, { inputsEmbeds: x as tf.Tensor3D, attentionMask, labels }, { training: true, seed: SEED, checkpoint: true }).loss!);
        g(inputsEmbeds).dataSync();
      });
    }),
  );

  const bh = BATCH * config.numHeads;
  const attnResults = [];
  if (only === undefined || only === "attention") {
    // Attention products on the encoder's shapes: [B*H, S, Dh] x [B*H, Dh, S] and back.
    const q = tf.randomNormal<tf.Rank.R3>([bh, SRC_LEN, config.dKv], 0, 1, "float32", 1);
    const k = tf.randomNormal<tf.Rank.R3>([bh, SRC_LEN, config.dKv], 0, 1, "float32", 2);
    // Block bodies: a tidy must not return the big typed array (tidy walks its result looking for tensors).
    attnResults.push(await time("scores: matMul(q, k, transposeB) batched (port's choice)", () => tf.tidy(() => { tf.matMul(q, k, false, true).dataSync(); })));
    attnResults.push(await time("scores: transpose(k) + batched matMul", () => tf.tidy(() => { bmm(q, tf.transpose(k, [0, 2, 1])).dataSync(); })));
    attnResults.push(
      await time("scores: per-(batch, head) 2-D matMuls + stack", () =>
        tf.tidy(() => {
          const kT = tf.transpose(k, [0, 2, 1]);
          const parts = tf.unstack(q).map((qi, i) => tf.matMul(qi as tf.Tensor2D, tf.squeeze(tf.slice(kT, [i, 0, 0], [1, config.dKv, SRC_LEN]), [0])));
          tf.stack(parts).dataSync();
        }),
      ),
    );
    const probs = tf.tidy(() => tf.softmax(tf.randomNormal<tf.Rank.R3>([bh, SRC_LEN, SRC_LEN], 0, 1, "float32", 3)));
    attnResults.push(await time("probs @ v: batched matMul (port's choice)", () => tf.tidy(() => { tf.matMul(probs, q).dataSync(); })));
    attnResults.push(
      await time("probs @ v: per-(batch, head) 2-D matMuls (slices) + stack", () =>
        tf.tidy(() => {
          const parts = Array.from({ length: bh }, (_, i) =>
            tf.matMul(tf.reshape<tf.Rank.R2>(tf.slice(probs, [i, 0, 0], [1, SRC_LEN, SRC_LEN]), [SRC_LEN, SRC_LEN]), tf.reshape<tf.Rank.R2>(tf.slice(q, [i, 0, 0], [1, SRC_LEN, config.dKv]), [SRC_LEN, config.dKv])),
          );
          tf.stack(parts).dataSync();
        }),
      ),
    );
    attnResults.push(
      await time("scores+backward: tf.matMul default gradient (transposed products, port's choice)", () =>
        tf.tidy(() => {
          tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, false, true)))([q, k]).forEach((t) => t.dataSync());
        }),
      ),
    );
    attnResults.push(
      await time("scores+backward: custom gradient with explicit transposes", () =>
        tf.tidy(() => {
          tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(bmm(a as tf.Tensor3D, tf.transpose(b as tf.Tensor3D, [0, 2, 1]))))([q, k]).forEach((t) => t.dataSync());
        }),
      ),
    );
    tf.dispose([q, k, probs]);
  }
  const leaked = tf.memory().numTensors - startTensors;
  console.log(`wasm heap at the end: ${heapMb()} MiB`);

  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version };
  const setup = { config: "t5-small shape (d 512, 6+6 layers, 8 heads, d_kv 64, d_ff 2048, vocab 32128), seeded random weights", batch: BATCH, srcLen: SRC_LEN, tgtLen: TGT_LEN, repeats: REPEATS };
  const report = { date: new Date().toISOString(), ...info, machine, setup, model: results, attention: attnResults, leakedTensors: leaked, wasmHeapMiB: heapMb() };
  const dir = fileURLToPath(new URL("../bench-results", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stem = only === undefined ? "forward" : `forward-${only}`;
  writeFileSync(`${dir}/${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const row = (r: { label: string; medianMs: number; ms: number[] }) => `| ${r.label} | ${r.medianMs.toFixed(0)} | ${r.ms.map((m) => m.toFixed(0)).join(", ")} |`;
  const md = [
    `# @dept/models forward benchmark`,
    "",
    `${report.date} · backend ${info.backend} · threads ${info.threads ?? "n/a"} · ${machine.cpus} CPUs (${machine.cpuModel}) · Node ${machine.node}`,
    "",
    `${setup.config}; batch ${BATCH}, source length ${SRC_LEN}, target length ${TGT_LEN}; median of ${REPEATS} after one warm-up.`,
    "",
    "| T5 step | median ms | runs ms |",
    "|---|---|---|",
    ...results.map(row),
    "",
    `Attention products, [${bh}, ${SRC_LEN}, ${config.dKv}] x [${bh}, ${config.dKv}, ${SRC_LEN}]:`,
    "",
    "| variant | median ms | runs ms |",
    "|---|---|---|",
    ...attnResults.map(row),
    "",
    `Tensors leaked over the whole run: ${leaked}. WASM heap at the end: ${heapMb() ?? "n/a"} MiB (it never shrinks, so this is the peak).`,
    "",
  ].join("\n");
  writeFileSync(`${dir}/${stem}.md`, md);
  console.log(md);
  tf.dispose([inputIds, attentionMask, labels, inputsEmbeds]);
  disposeModel(model);
}

await main();
