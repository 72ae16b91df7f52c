// The plain tensor record the adapter readers produce: structurally the same as @dept/runtime's SafetensorsTensor
// (dtype as stored, shape, data widened to Float32Array / Int32Array / Uint8Array).
export type RawDtype = "F32" | "F16" | "BF16" | "I64" | "I32" | "U8" | "BOOL";

export interface RawTensor {
  dtype: RawDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

/** IEEE half -> float. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
