// torch.randperm(n, generator=torch.Generator().manual_seed(seed)) on CPU, bit for bit.
// Port of randperm_cpu in pytorch aten/src/ATen/native/TensorFactories.cpp (unchanged from torch 1.x
// through 2.13): for n < UINT32_MAX / 20 a forward Fisher-Yates that swaps r[i] with r[i + random() % (n-i)]
// using 32-bit draws; for larger n an "inside-out" shuffle with 64-bit draws (random64() % (i+1)).
import { MT19937 } from "./mt19937.ts";

/** torch switches algorithms at n = std::numeric_limits<uint32_t>::max() / 20 (integer division). */
export const TORCH_RANDPERM_SMALL_N_LIMIT = Math.floor(0xffffffff / 20);

/** (a * b) mod m for a, b < m <= 2^31, exact in doubles (16-bit split keeps products below 2^53). */
function mulMod(a: number, b: number, m: number): number {
  const hi = Math.floor(b / 65536);
  const lo = b % 65536;
  return (((a * hi) % m) * 65536 + a * lo) % m;
}

const TWO_POW_32 = 0x1_0000_0000;

export function torchRandperm(n: number, seed: number): Int32Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0x7fffffff) {
    throw new RangeError(`torchRandperm: n must be an integer in [0, 2^31), got ${n}`);
  }
  const gen = new MT19937(seed);
  const r = new Int32Array(n);
  if (n < TORCH_RANDPERM_SMALL_N_LIMIT) {
    for (let i = 0; i < n; i++) r[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = i + (gen.nextUint32() % (n - i));
      const save = r[i]!;
      r[i] = r[z]!;
      r[z] = save;
    }
    return r;
  }
  // Large n: random64() = (first draw << 32) | second draw (detail::make64BitsFrom32Bits(hi, lo)).
  for (let i = 0; i < n; i++) {
    const m = i + 1;
    const hi = gen.nextUint32();
    const lo = gen.nextUint32();
    const z = (mulMod(hi % m, TWO_POW_32 % m, m) + (lo % m)) % m;
    r[i] = r[z]!;
    r[z] = i;
  }
  return r;
}
