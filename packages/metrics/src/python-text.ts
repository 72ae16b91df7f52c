// Python string semantics the reference relies on, re-implemented for JavaScript strings:
// - `str.isspace()` whitespace, used by `str.strip()` (src/postprocessors.py strips every decoded string)
//   and `str.split()` (SQuAD normalisation and tokenisation, src/qa_utils.py). JavaScript's `\s` differs:
//   it lacks U+001C..U+001F and U+0085 and adds U+FEFF.
// - `float(s)` as used by `string_to_float` in src/metrics.py (stsb): surrounding whitespace, a sign,
//   "1_000" digit grouping, ".5", "5.", exponents, "inf"/"infinity"/"nan" in any case, and any Unicode
//   decimal digits (float("٣.٥") == 3.5). Anything else is a ValueError, which DePT maps to -1.0.

/** Every code point for which Python 3.11's `str.isspace()` is true. */
const PY_WHITESPACE =
  "\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

const WS_CLASS = `[${PY_WHITESPACE.replace(/[\\\]^-]/g, "\\$&")}]`;
const LEADING_WS = new RegExp(`^${WS_CLASS}+`, "u");
const TRAILING_WS = new RegExp(`${WS_CLASS}+$`, "u");
const WS_RUN = new RegExp(`${WS_CLASS}+`, "u");

/** Python `s.strip()` with no argument. */
export function pythonStrip(s: string): string {
  return s.replace(LEADING_WS, "").replace(TRAILING_WS, "");
}

/** Python `s.split()` with no argument: split on runs of whitespace, no empty pieces. */
export function pythonSplit(s: string): string[] {
  const stripped = pythonStrip(s);
  return stripped === "" ? [] : stripped.split(WS_RUN);
}

// Python's float() grammar (Objects/floatobject.c + Python/pystrtod.c, PEP 515 underscores):
// digitpart = digit (["_"] digit)*; number = digitpart ["." [digitpart]] | "." digitpart; optional exponent.
const DIGITPART = "\\p{Nd}(?:_?\\p{Nd})*";
const DECIMAL = new RegExp(`^[+-]?(?:${DIGITPART}(?:\\.(?:${DIGITPART})?)?|\\.${DIGITPART})(?:[eE][+-]?${DIGITPART})?$`, "u");
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;
const IS_DIGIT = /^\p{Nd}$/u;

/** The value of a Unicode decimal digit: Unicode allocates every Nd set as a contiguous run 0..9. */
function digitValue(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x30 && cp <= 0x39) return ch;
  let start = cp;
  while (IS_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return String((cp - start) % 10);
}

/** Python `float(s)`, or undefined where Python raises ValueError. */
export function pythonFloat(s: string): number | undefined {
  const t = pythonStrip(s);
  const special = SPECIAL.exec(t);
  if (special !== null) {
    if (special[2]!.toLowerCase() === "nan") return Number.NaN;
    return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!DECIMAL.test(t)) return undefined;
  const ascii = Array.from(t.replace(/_/g, ""), (ch) => (IS_DIGIT.test(ch) ? digitValue(ch) : ch)).join("");
  // Number() rounds a decimal string correctly (nearest double), as Python's dtoa does; overflow -> Infinity.
  return Number(ascii);
}

/** DePT's `string_to_float(string, default=-1.)`: float(string), or the default where float() fails. */
export function stringToFloat(s: string, fallback = -1): number {
  return pythonFloat(s) ?? fallback;
}
