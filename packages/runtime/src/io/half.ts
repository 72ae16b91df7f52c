// IEEE binary16 (F16) and bfloat16 (BF16) <-> float32 bit conversions for safetensors I/O.
// Encoding rounds to nearest, ties to even, like torch's `tensor.to(torch.float16 / torch.bfloat16)`;
// NaN stays NaN (quiet), overflow goes to +-infinity.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** binary16 bits -> float32 bits, for all 65536 patterns (256 KiB, built on first use). */
let halfTable: Uint32Array | null = null;

function buildHalfTable(): Uint32Array {
  const table = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0x1f) {
      // inf / NaN: keep the payload in the top mantissa bits
      table[h] = (sign | 0x7f800000 | (frac << 13)) >>> 0;
    } else {
      // normal and subnormal halves are exactly representable in float32
      const magnitude = exp === 0 ? frac * 2 ** -24 : (1 + frac / 1024) * 2 ** (exp - 15);
      f32[0] = magnitude;
      table[h] = (sign | u32[0]!) >>> 0;
    }
  }
  return table;
}

/** Decodes `count` binary16 values (little-endian bytes) into float32 values. */
export function decodeF16(bytes: Uint8Array, count: number): Float32Array {
  const table = (halfTable ??= buildHalfTable());
  const out = new Float32Array(count);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < count; i++) {
    bits[i] = table[bytes[2 * i]! | (bytes[2 * i + 1]! << 8)]!;
  }
  return out;
}

/** Decodes `count` bfloat16 values (little-endian bytes): the top 16 bits of a float32. */
export function decodeBF16(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < count; i++) {
    bits[i] = ((bytes[2 * i]! | (bytes[2 * i + 1]! << 8)) << 16) >>> 0;
  }
  return out;
}

/** float32 bits -> binary16 bits, round to nearest even. */
function floatBitsToHalf(u: number): number {
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // result is subnormal (or zero): shift the 24-bit significand down to units of 2^-24
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // a carry out of the mantissa correctly bumps the exponent (up to infinity)
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** float32 bits -> bfloat16 bits, round to nearest even (torch's round_to_nearest_even). A NaN keeps its
 *  sign and top payload bits (plus the quiet bit), so BF16 NaNs read from a file write back unchanged. */
function floatBitsToBF16(u: number): number {
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

// Both encoders read the float32 bit patterns through a Uint32Array view: going through a JS number
// could canonicalise NaN payloads.
export function encodeF16(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 2);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < data.length; i++) {
    const h = floatBitsToHalf(bits[i]!);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}

export function encodeBF16(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 2);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < data.length; i++) {
    const h = floatBitsToBF16(bits[i]!);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}
