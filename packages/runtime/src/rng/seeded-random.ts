// Seeded random stream for parameter initialisation and dropout masks. tfjs has no global seed, so
// every random draw in this project comes from an explicit SeededRandom (mt19937, seeded like torch).
// Not bit-compatible with torch's distributions (initial weights come from checkpoints/goldens); what
// matters is that the same seed gives the same stream on every backend and machine.
import { MT19937 } from "./mt19937.ts";

const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;

export class SeededRandom {
  private readonly mt: MT19937;
  /** Box-Muller yields two normals per draw; the second is kept for the next call. */
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.mt = new MT19937(seed);
  }

  nextUint32(): number {
    return this.mt.nextUint32();
  }

  /** Uniform double in [0, 1) with 53 random bits (two draws, as std::generate_canonical/numpy). */
  nextDouble(): number {
    const a = this.mt.nextUint32() >>> 5; // 27 bits
    const b = this.mt.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) * TWO_POW_M53;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.nextDouble();
  }

  /** Standard normal (Box-Muller on (0, 1] uniforms, so log never sees 0). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    const u1 = 1 - this.nextDouble();
    const u2 = this.nextDouble();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(theta);
    return radius * Math.cos(theta);
  }

  /** n float32 uniforms in [lo, hi) (float32 rounding of lo + span * u can land on hi); one 32-bit draw
   *  each, 24 random bits like torch's float uniform_. */
  uniformArray(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    const span = hi - lo;
    for (let i = 0; i < n; i++) out[i] = lo + span * ((this.mt.nextUint32() >>> 8) * TWO_POW_M24);
    return out;
  }

  /** n float32 normals with the given mean and standard deviation. */
  normalArray(n: number, mean: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Dropout keep-mask: 1 with probability 1 - rate, else 0 (Uint8Array, one 32-bit draw each). */
  bernoulliMask(n: number, keepProbability: number): Uint8Array {
    if (!(keepProbability >= 0 && keepProbability <= 1)) {
      throw new RangeError(`keepProbability must be in [0, 1], got ${keepProbability}`);
    }
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (this.mt.nextUint32() >>> 8) * TWO_POW_M24 < keepProbability ? 1 : 0;
    return out;
  }
}
