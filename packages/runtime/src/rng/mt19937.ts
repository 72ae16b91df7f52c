// 32-bit Mersenne Twister (MT19937, Matsumoto & Nishimura 1998), seeded the way torch seeds its CPU
// generator: `torch.Generator().manual_seed(s)` builds at::mt19937(s), whose init_with_uint32 runs the
// standard linear initialiser on the low 32 bits of s (aten/src/ATen/core/MT19937RNGEngine.h).
// Output is identical to std::mt19937 / torch's `generator->random()`.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  private readonly state = new Uint32Array(N);
  private index = N;

  /** `seed`: a non-negative safe integer; like torch, only its low 32 bits matter. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`MT19937 seed must be a non-negative safe integer, got ${seed}`);
    }
    const s = this.state;
    s[0] = seed % 0x1_0000_0000;
    for (let j = 1; j < N; j++) {
      const prev = s[j - 1]!;
      s[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
    }
  }

  /** Regenerates all 624 words at once (the classic "twist"). */
  private twist(): void {
    const s = this.state;
    let k = 0;
    for (; k < N - M; k++) {
      const y = (s[k]! & UPPER_MASK) | (s[k + 1]! & LOWER_MASK);
      s[k] = s[k + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      const y = (s[k]! & UPPER_MASK) | (s[k + 1]! & LOWER_MASK);
      s[k] = s[k + M - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (s[N - 1]! & UPPER_MASK) | (s[0]! & LOWER_MASK);
    s[N - 1] = s[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }

  /** Next 32-bit output in [0, 2^32). */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}
