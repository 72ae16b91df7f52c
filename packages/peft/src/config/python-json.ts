// JSON text exactly as Python's `json.dumps(obj, indent=2, sort_keys=True)` writes it (the form of every
// adapter_config.json that peft and the DePT fork save: peft/utils/config.py `save_pretrained`).
// Differences from JSON.stringify that matter here: floats keep a fractional part (0.0, 1e-05),
// non-ASCII is escaped (ensure_ascii=True), keys sorted by code point.

/** Marks a number that Python holds as a float, so it is written as `0.0` rather than `0`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyJson = null | boolean | number | string | PyFloat | readonly PyJson[] | { readonly [key: string]: PyJson };

/** Python's float repr: shortest round-trip digits; exponent form when exp < -4 or exp >= 16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa = "", expText = "0"] = x.toExponential().split("e");
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const frac = digits.slice(1);
    const expSign = exp < 0 ? "-" : "+";
    const expAbs = String(Math.abs(exp)).padStart(2, "0");
    return `${sign}${digits[0] ?? "0"}${frac.length > 0 ? `.${frac}` : ""}e${expSign}${expAbs}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart.length > 0 ? fracPart : "0"}`;
}

/** Python json string escaping with ensure_ascii=True. */
export function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] ?? "";
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function render(value: PyJson, indent: number): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return pythonFloatRepr(value);
    return String(value);
  }
  if (typeof value === "string") return pythonJsonString(value);
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  const pad = " ".repeat(indent + 2);
  const close = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v: PyJson) => pad + render(v, indent + 2)).join(",\n")}\n${close}]`;
  }
  const obj = value as { readonly [key: string]: PyJson };
  // Python sort_keys compares str by code point; for the ASCII keys peft uses this equals UTF-16 order.
  const keys = Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return "{}";
  return `{\n${keys.map((k) => `${pad}${pythonJsonString(k)}: ${render(obj[k] ?? null, indent + 2)}`).join(",\n")}\n${close}}`;
}

/** `json.dumps(value, indent=2, sort_keys=True)`. */
export function pythonJsonDumps(value: PyJson): string {
  return render(value, 0);
}
