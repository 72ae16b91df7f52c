// Benchmark: one optimizer update of the trainer (global-norm clip + two-group AdamW, both flavours) on the
// DePT parameter shapes of the released t5-base runs (P m x d = 60 x 768, A s x r = 256 x 30, B r x d = 30 x 768)
// and of the Llama-2-7b suggestion (P 40 x 4096, A 64 x 60, B 60 x 4096). Writes bench-results/optimizer.json and
// bench-results/optimizer.md. Run: pnpm --filter @dept/trainer bench (env: DEPT_BACKEND=wasm|cpu, BENCH_REPEATS).
import * as tf from "@tensorflow/tfjs";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { initBackend, SeededRandom } from "@dept/runtime";
import { AdamW, clipGradNorm, type OptimName } from "../src/index.ts";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 200);
const SETTINGS = [
  { name: "t5-base DePT (m 60, r 30, s 256)", shapes: { P: [60, 768], A: [256, 30], B: [30, 768] } },
  { name: "llama-2-7b DePT (m 40, r 60, s 64)", shapes: { P: [40, 4096], A: [64, 60], B: [60, 4096] } },
] as const;

interface Row {
  setting: string;
  optim: OptimName;
  params: number;
  ms_per_update: number;
  tensors_leaked: number;
}

async function main(): Promise<void> {
  const info = await initBackend(process.env.DEPT_BACKEND);
  const rng = new SeededRandom(7);
  const rows: Row[] = [];
  for (const setting of SETTINGS) {
    for (const optim of ["adamw_hf", "adamw_torch"] as const) {
      const vars = new Map<string, tf.Variable>();
      const grads = new Map<string, tf.Tensor>();
      let params = 0;
      for (const [n, shape] of Object.entries(setting.shapes)) {
        const size = shape[0] * shape[1];
        params += size;
        vars.set(n, tf.variable(tf.tensor(rng.normalArray(size, 0, 0.5), [...shape])));
        grads.set(n, tf.tensor(rng.normalArray(size, 0, 0.01), [...shape]));
      }
      const opt = new AdamW(
        [
          { name: "prompt", params: new Map([["P", vars.get("P")!]]), lr: 0.3, weightDecay: 0 },
          { name: "lora_embedding", params: new Map([["A", vars.get("A")!], ["B", vars.get("B")!]]), lr: 5e-3, weightDecay: 0 },
        ],
        { kind: optim },
      );
      const update = () => {
        const c = clipGradNorm(grads, 1.0);
        opt.step(c.grads);
        for (const g of c.grads.values()) g.dispose();
      };
      update(); // warm-up (creates the moments, compiles kernels)
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      for (let i = 0; i < REPEATS; i++) update();
      vars.get("P")!.dataSync(); // wait for the backend
      const ms = (performance.now() - t0) / REPEATS;
      rows.push({ setting: setting.name, optim, params, ms_per_update: Number(ms.toFixed(4)), tensors_leaked: tf.memory().numTensors - before });
      opt.dispose();
      for (const t of [...vars.values(), ...grads.values()]) t.dispose();
    }
  }
  const out = { backend: info.backend, threads: info.threads, detail: info.detail, cpu: cpus()[0]?.model ?? "?", cores: cpus().length, repeats: REPEATS, rows };
  const dir = fileURLToPath(new URL("../bench-results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}optimizer.json`, `${JSON.stringify(out, null, 2)}\n`);
  const md = [
    `# Optimizer update (clip + two-group AdamW), ${info.backend} (${info.detail}), ${out.cpu} x${out.cores}, ${REPEATS} repeats`,
    "",
    "| setting | optim | trainable params | ms / update | tensors leaked |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.setting} | ${r.optim} | ${r.params} | ${r.ms_per_update} | ${r.tensors_leaked} |`),
    "",
  ].join("\n");
  writeFileSync(`${dir}optimizer.md`, md);
  process.stdout.write(md);
}

await main();
