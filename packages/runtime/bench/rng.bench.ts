// Benchmark: permutations per second for torchRandperm and numpyPermutation at n = 560,000 (about the
// largest shuffle the DePT recipes do), plus SeededRandom.normalArray throughput. Writes
// bench-results/rng.json and bench-results/rng.md. Run: pnpm --filter @dept/runtime bench
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { SeededRandom, numpyPermutation, torchRandperm } from "../src/index.ts";

const N = 560_000;
const MIN_SECONDS = 2;

function measure(name: string, fn: (i: number) => unknown): { name: string; runs: number; seconds: number; perSecond: number; msPerRun: number } {
  fn(0); // warm-up (JIT)
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < MIN_SECONDS) {
    fn(runs + 1);
    runs++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return { name, runs, seconds: elapsed, perSecond: runs / elapsed, msPerRun: (1000 * elapsed) / runs };
}

const results = [
  measure(`torchRandperm(n=${N})`, (i) => torchRandperm(N, i)),
  measure(`numpyPermutation(n=${N})`, (i) => numpyPermutation(N, i)),
  measure(`SeededRandom.normalArray(${N})`, (i) => new SeededRandom(i).normalArray(N, 0, 1)),
];

const env = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, date: new Date().toISOString() };
const dir = join(import.meta.dirname, "..", "bench-results");
await mkdir(dir, { recursive: true });
await writeFile(join(dir, "rng.json"), JSON.stringify({ env, n: N, results }, null, 2) + "\n");
const md = [
  `# @dept/runtime RNG benchmark`,
  ``,
  `Node ${env.node}, ${env.cpu} (${env.cores} cores), ${env.date}. Each row: repeated for >= ${MIN_SECONDS} s after one warm-up run.`,
  ``,
  `| operation | runs | ms / run | runs / s |`,
  `|---|---:|---:|---:|`,
  ...results.map((r) => `| ${r.name} | ${r.runs} | ${r.msPerRun.toFixed(2)} | ${r.perSecond.toFixed(1)} |`),
  ``,
].join("\n");
await writeFile(join(dir, "rng.md"), md);
process.stdout.write(md);
