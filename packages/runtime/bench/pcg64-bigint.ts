// Benchmark-only comparison: the straightforward BigInt formulation of numpy's PCG64 + random_interval
// shuffle (one BigInt multiply/allocation per 64-bit draw). src/rng/pcg64.ts keeps the state in 16-bit
// limbs instead; bench/rng.bench.ts checks both give the same permutation and times them.
import { seedSequenceState } from "../src/rng/pcg64.ts";

const MASK128 = (1n << 128n) - 1n;
const MASK64 = (1n << 64n) - 1n;
const MULT = 0x2360ed051fc65da44385df649fccf645n;

export function numpyPermutationBigInt(n: number, seed: number): Int32Array {
  const w = seedSequenceState(seed, 8);
  const u64 = (k: number) => BigInt(w[2 * k]!) | (BigInt(w[2 * k + 1]!) << 32n);
  const initState = (u64(0) << 64n) | u64(1);
  const initSeq = (u64(2) << 64n) | u64(3);
  const inc = ((initSeq << 1n) | 1n) & MASK128;
  let state = (0n * MULT + inc) & MASK128;
  state = (state + initState) & MASK128;
  state = (state * MULT + inc) & MASK128;
  let has = false;
  let buffered = 0;
  const next32 = (): number => {
    if (has) {
      has = false;
      return buffered;
    }
    state = (state * MULT + inc) & MASK128;
    const hi = state >> 64n;
    const x = (hi ^ state) & MASK64;
    const rot = hi >> 58n;
    const out = ((x >> rot) | (x << ((64n - rot) & 63n))) & MASK64;
    has = true;
    buffered = Number(out >> 32n);
    return Number(out & 0xffffffffn);
  };
  const x = new Int32Array(n);
  for (let i = 0; i < n; i++) x[i] = i;
  for (let i = n - 1; i >= 1; i--) {
    let mask = i;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let j = (next32() & mask) >>> 0;
    while (j > i) j = (next32() & mask) >>> 0;
    const t = x[i]!;
    x[i] = x[j]!;
    x[j] = t;
  }
  return x;
}
