// numpy's default bit generator: SeedSequence (numpy/random/bit_generator.pyx) feeding PCG64
// (numpy/random/src/pcg64/pcg64.h, PCG XSL-RR 128/64, O'Neill 2014), plus the bounded-integer draw
// Generator.shuffle uses (random_bounded_uint64 -> buffered_bounded_lemire_uint32 in
// numpy/random/src/distributions/distributions.c). Behaviour matches numpy 1.17 through 2.x.
//
// The 128-bit LCG state lives in eight 16-bit limbs held in plain numbers: every partial product is
// below 2^32 and every column sum below 2^53, so the arithmetic is exact without BigInt allocation.

// --- SeedSequence (pool_size 4, no spawn key) ---------------------------------------------------
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16; // 4 bytes * 8 / 2
const POOL_SIZE = 4;

/** numpy's _int_to_uint32_array: little-endian 32-bit words, [0] for 0. */
function seedWords(seed: number): number[] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`numpy seed must be a non-negative safe integer, got ${seed}`);
  }
  if (seed === 0) return [0];
  const words: number[] = [];
  for (let n = seed; n > 0; n = Math.floor(n / 0x1_0000_0000)) words.push(n % 0x1_0000_0000);
  return words;
}

/** SeedSequence(seed).generate_state(nWords32, uint32). */
export function seedSequenceState(seed: number, nWords32: number): Uint32Array {
  const entropy = seedWords(seed);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> XSHIFT)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (result ^ (result >>> XSHIFT)) >>> 0;
  };
  const pool = new Array<number>(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i]! : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst]!, hashmix(pool[src]!));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst]!, hashmix(entropy[src]!));
  }
  const out = new Uint32Array(nWords32);
  let h = INIT_B;
  for (let i = 0; i < nWords32; i++) {
    let v = (pool[i % POOL_SIZE]! ^ h) >>> 0;
    h = Math.imul(h, MULT_B) >>> 0;
    v = Math.imul(v, h) >>> 0;
    out[i] = (v ^ (v >>> XSHIFT)) >>> 0;
  }
  return out;
}

// --- PCG64 --------------------------------------------------------------------------------------
/** PCG_DEFAULT_MULTIPLIER_128 = 0x2360ED051FC65DA4_4385DF649FCCF645, as 16-bit limbs, least significant first. */
const MUL = [0xf645, 0x9fcc, 0xdf64, 0x4385, 0x5da4, 0x1fc6, 0xed05, 0x2360] as const;

const M0 = MUL[0], M1 = MUL[1], M2 = MUL[2], M3 = MUL[3], M4 = MUL[4], M5 = MUL[5], M6 = MUL[6], M7 = MUL[7];

/** Splits two 32-bit words (low word first) into four 16-bit limbs. */
function limbs64(lo: number, hi: number): number[] {
  return [lo & 0xffff, lo >>> 16, hi & 0xffff, hi >>> 16];
}

export class PCG64 {
  // state s0 (least significant) .. s7 and increment i0 .. i7, 16-bit limbs
  private s0 = 0; private s1 = 0; private s2 = 0; private s3 = 0;
  private s4 = 0; private s5 = 0; private s6 = 0; private s7 = 0;
  private i0 = 0; private i1 = 0; private i2 = 0; private i3 = 0;
  private i4 = 0; private i5 = 0; private i6 = 0; private i7 = 0;
  private hasUint32 = false;
  private uinteger = 0;
  /** High / low 32 bits of the last 64-bit output (next64 writes them to avoid allocating). */
  hi = 0;
  lo = 0;

  /** numpy.random.PCG64(seed): SeedSequence(seed).generate_state(4, uint64) -> (initstate, initseq). */
  constructor(seed: number) {
    const w = seedSequenceState(seed, 8);
    // uint64 words v[k] = w[2k] | w[2k+1] << 32; the 128-bit values are (v[0] << 64 | v[1]) and (v[2] << 64 | v[3]).
    const initState = [...limbs64(w[2]!, w[3]!), ...limbs64(w[0]!, w[1]!)];
    const initSeq = [...limbs64(w[6]!, w[7]!), ...limbs64(w[4]!, w[5]!)];
    // pcg_setseq_128_srandom_r: state = 0; inc = initseq << 1 | 1; step; state += initstate; step.
    const inc = new Array<number>(8);
    let carry = 1;
    for (let k = 0; k < 8; k++) {
      const v = initSeq[k]! * 2 + carry;
      inc[k] = v & 0xffff;
      carry = v >>> 16;
    }
    [this.i0, this.i1, this.i2, this.i3, this.i4, this.i5, this.i6, this.i7] = inc as [number, number, number, number, number, number, number, number];
    this.step();
    carry = 0;
    const st = [this.s0, this.s1, this.s2, this.s3, this.s4, this.s5, this.s6, this.s7];
    for (let k = 0; k < 8; k++) {
      const v = st[k]! + initState[k]! + carry;
      st[k] = v & 0xffff;
      carry = v >>> 16;
    }
    [this.s0, this.s1, this.s2, this.s3, this.s4, this.s5, this.s6, this.s7] = st as [number, number, number, number, number, number, number, number];
    this.step();
  }

  /** state = state * MUL + inc (mod 2^128), schoolbook on 16-bit limbs keeping the low 8 columns. */
  private step(): void {
    const { s0, s1, s2, s3, s4, s5, s6, s7 } = this;
    let c = s0 * M0 + this.i0;
    this.s0 = c & 0xffff;
    c = Math.floor(c / 65536) + s0 * M1 + s1 * M0 + this.i1;
    this.s1 = c & 0xffff;
    c = Math.floor(c / 65536) + s0 * M2 + s1 * M1 + s2 * M0 + this.i2;
    this.s2 = c & 0xffff;
    c = Math.floor(c / 65536) + s0 * M3 + s1 * M2 + s2 * M1 + s3 * M0 + this.i3;
    this.s3 = c & 0xffff;
    c = Math.floor(c / 65536) + s0 * M4 + s1 * M3 + s2 * M2 + s3 * M1 + s4 * M0 + this.i4;
    this.s4 = c & 0xffff;
    c = Math.floor(c / 65536) + s0 * M5 + s1 * M4 + s2 * M3 + s3 * M2 + s4 * M1 + s5 * M0 + this.i5;
    this.s5 = c & 0xffff;
    c = Math.floor(c / 65536) + s0 * M6 + s1 * M5 + s2 * M4 + s3 * M3 + s4 * M2 + s5 * M1 + s6 * M0 + this.i6;
    this.s6 = c & 0xffff;
    c = Math.floor(c / 65536) + s0 * M7 + s1 * M6 + s2 * M5 + s3 * M4 + s4 * M3 + s5 * M2 + s6 * M1 + s7 * M0 + this.i7;
    this.s7 = c & 0xffff;
  }

  /** Next 64-bit output (XSL-RR: rotr64(high ^ low, high >> 58) of the stepped state) into this.hi / this.lo. */
  next64(): void {
    this.step();
    const xh = (((this.s7 << 16) | this.s6) ^ ((this.s3 << 16) | this.s2)) >>> 0;
    const xl = (((this.s5 << 16) | this.s4) ^ ((this.s1 << 16) | this.s0)) >>> 0;
    const rot = this.s7 >>> 10;
    if (rot === 0) {
      this.hi = xh;
      this.lo = xl;
    } else if (rot < 32) {
      this.hi = ((xh >>> rot) | (xl << (32 - rot))) >>> 0;
      this.lo = ((xl >>> rot) | (xh << (32 - rot))) >>> 0;
    } else if (rot === 32) {
      this.hi = xl;
      this.lo = xh;
    } else {
      const r = rot - 32;
      this.hi = ((xl >>> r) | (xh << (32 - r))) >>> 0;
      this.lo = ((xh >>> r) | (xl << (32 - r))) >>> 0;
    }
  }

  /** pcg64_next32: the low half of a 64-bit output, then its high half on the next call. */
  nextUint32(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.uinteger;
    }
    this.next64();
    this.hasUint32 = true;
    this.uinteger = this.hi;
    return this.lo;
  }

  /**
   * Uniform integer in [0, max] for max < 2^32: numpy's random_interval (distributions.c): draw 32-bit
   * values, mask them to the smallest all-ones mask >= max, reject values above max.
   */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value = (this.nextUint32() & mask) >>> 0;
    while (value > max) value = (this.nextUint32() & mask) >>> 0;
    return value;
  }
}
