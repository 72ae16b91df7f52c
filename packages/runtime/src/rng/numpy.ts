// numpy.random.default_rng(seed).permutation(n), bit for bit: arange(n) then Generator.shuffle, whose
// 1-d fast path (numpy/random/_generator.pyx, _shuffle_raw) walks i = n-1 .. 1 and swaps x[i] with
// x[j], j = random_interval(bitgen, i) (masked rejection sampling; 32-bit draws while i < 2^32).
// Hugging Face `Dataset.shuffle(seed=S)` uses exactly this permutation.
import { PCG64 } from "./pcg64.ts";

export function numpyPermutation(n: number, seed: number): Int32Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0x7fffffff) {
    throw new RangeError(`numpyPermutation: n must be an integer in [0, 2^31), got ${n}`);
  }
  const gen = new PCG64(seed);
  const x = new Int32Array(n);
  for (let i = 0; i < n; i++) x[i] = i;
  for (let i = n - 1; i >= 1; i--) {
    const j = gen.interval(i);
    const t = x[i]!;
    x[i] = x[j]!;
    x[j] = t;
  }
  return x;
}
