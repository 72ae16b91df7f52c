// Benchmark: permutations per second for torchRandperm and numpyPermutation at n = 560,000 (about the
// largest shuffle the DePT recipes do), plus SeededRandom.normalArray throughput. Writes
// bench-results/rng.json and bench-results/rng.md. Run: pnpm --filter @dept/runtime bench
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { SeededRandom, numpyPermutation, torchRandperm } from "../src/index.ts";
import { numpyPermutationBigInt } from "./pcg64-bigint.ts";

const N = 560_000;
const MIN_SECONDS = 2;

interface Result { name: string; runs: number; seconds: number; perSecond: number; msPerRun: number; cpuMsPerRun: number }

/** Wall time and this process's CPU time (user + system): on a shared, loaded machine the CPU time is the
 *  steadier number, the wall time is what a user waits. */
function measure(name: string, fn: (i: number) => unknown): Result {
  fn(0); // warm-up (JIT)
  let runs = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < MIN_SECONDS) {
    fn(runs + 1);
    runs++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { name, runs, seconds: elapsed, perSecond: runs / elapsed, msPerRun: (1000 * elapsed) / runs, cpuMsPerRun: (cpu.user + cpu.system) / 1000 / runs };
}

// The BigInt formulation must agree with the limb one before its timing means anything.
const a = numpyPermutation(N, 42);
const b = numpyPermutationBigInt(N, 42);
if (!a.every((v, i) => v === b[i])) throw new Error("BigInt PCG64 disagrees with src/rng/pcg64.ts");

const results = [
  measure(`torchRandperm(n=${N})`, (i) => torchRandperm(N, i)),
  measure(`numpyPermutation(n=${N})`, (i) => numpyPermutation(N, i)),
  measure(`numpyPermutation via BigInt PCG64 (comparison only, n=${N})`, (i) => numpyPermutationBigInt(N, i)),
  measure(`SeededRandom.normalArray(${N})`, (i) => new SeededRandom(i).normalArray(N, 0, 1)),
];

const env = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, loadavg1: loadavg()[0], date: new Date().toISOString() };
const dir = join(import.meta.dirname, "..", "bench-results");
await mkdir(dir, { recursive: true });
await writeFile(join(dir, "rng.json"), JSON.stringify({ env, n: N, results }, null, 2) + "\n");
const md = [
  `# @dept/runtime RNG benchmark`,
  ``,
  `Node ${env.node}, ${env.cpu} (${env.cores} cores, 1-min load average ${env.loadavg1?.toFixed(1)} at the end), ${env.date}.`,
  `Each row: repeated for >= ${MIN_SECONDS} s after one warm-up run; CPU ms = this process's user + system time.`,
  ``,
  `| operation | runs | wall ms / run | CPU ms / run | runs / s (wall) |`,
  `|---|---:|---:|---:|---:|`,
  ...results.map((r) => `| ${r.name} | ${r.runs} | ${r.msPerRun.toFixed(2)} | ${r.cpuMsPerRun.toFixed(2)} | ${r.perSecond.toFixed(1)} |`),
  ``,
].join("\n");
await writeFile(join(dir, "rng.md"), md);
process.stdout.write(md);
