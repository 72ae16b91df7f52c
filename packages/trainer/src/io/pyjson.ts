// JSON text formatted the way Python's json.dumps writes it, so trainer_state.json / *_results.json are
// byte-compatible with HF's files (trainer_callback.py TrainerState.save_to_json: indent=2, sort_keys=True, "\n";
// trainer_pt_utils.py save_metrics: indent=4, sort_keys=True). Python writes floats with repr(): shortest
// round-trip digits, exponent form when the decimal exponent is < -4 or >= 16 ("1e-05", "2.9e+17"), and
// always a ".0" on integral floats. JS numbers do not say int or float, so floats are wrapped in PyFloat.

/** A value Python would hold as a float (written "1.0", not "1"). */
export class PyFloat {
  constructor(readonly value: number) {}
}
export const pyFloat = (x: number): PyFloat => new PyFloat(x);

export type PyJson = string | number | boolean | null | PyFloat | PyJson[] | { [key: string]: PyJson | undefined };

/** Python repr(float). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = x.toExponential().split("e") as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const sign = neg ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits}${"0".repeat(intLen - digits.length)}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** json.dumps(value, indent=indent, sort_keys=sortKeys). Integers must be JS integers; floats PyFloat. */
export function pyJsonDumps(value: PyJson, indent: number, sortKeys = true): string {
  const pad = (level: number) => " ".repeat(indent * level);
  const enc = (v: PyJson, level: number): string => {
    if (v === null) return "null";
    if (v instanceof PyFloat) return pyFloatRepr(v.value);
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "string") return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      return `[\n${v.map((x) => pad(level + 1) + enc(x, level + 1)).join(",\n")}\n${pad(level)}]`;
    }
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (sortKeys) keys.sort();
    if (keys.length === 0) return "{}";
    return `{\n${keys.map((k) => `${pad(level + 1)}${JSON.stringify(k)}: ${enc(v[k]!, level + 1)}`).join(",\n")}\n${pad(level)}}`;
  };
  return enc(value, 0);
}
