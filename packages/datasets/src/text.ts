// Text helpers ported from the reference's src/tasks.py (ZhengxiangShi/DePT): pad_punctuation (L~940),
// round_stsb_target (L~925), SuperGLUEWSCFixed._mark_span (L~770) and SuperGLUEMultiRC.remove_markup
// (L~715), plus Python's str() of the values they see. The reference uses the third-party `regex`
// module, whose \s is the Unicode White_Space property; JS regexes get the same set via \p{White_Space}
// (JS's own \s also matches U+FEFF, which `regex` does not).

/** Python str() of a scalar as the reference sees it (ints print without ".0", bools as True/False). */
export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  if (value === null || value === undefined) return "None";
  return JSON.stringify(value);
}

/** repr() of a Python float (shortest round-trip digits, like JS, but "1.0" not "1" and "-0.0"). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Object.is(x, -0)) return "-0.0";
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    // Python switches to exponent form at exp < -4 or >= 16, with a two-digit minimum exponent.
    const [mant, exp] = x.toExponential().split("e") as [string, string];
    const e = Number(exp);
    return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** numpy rint: round half to even, on float64. */
export function rintHalfEven(y: number): number {
  const r = Math.round(y); // half up (towards +inf)
  return r - y === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.round(x, decimals) for decimals >= 0: multiply by 10**d, rint, divide (numpy's exact algorithm). */
export function npRound(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return rintHalfEven(x * f) / f;
}

/**
 * STS-B target as the reference writes it: str(np.round((label * 5) / 5, decimals=1)). The docstring
 * promises rounding to the nearest 0.2, but (x*5)/5 is x, so this is rounding to ONE decimal,
 * half-to-even on the float64 product (3.75 -> "3.8", 2.25 -> "2.2").
 */
export function stsbTargetReference(label: number): string {
  return pyFloatRepr(npRound((label * 5) / 5, 1));
}

/** The documented intent (T5's stsb preprocessor): nearest multiple of 0.2, printed with one decimal. */
export function stsbTargetFixed(label: number): string {
  return (rintHalfEven(label * 5) / 5).toFixed(1);
}

const PUNCT = /[^_\p{White_Space}\p{N}\p{L}\p{M}]/gu;
const SPACES = /\p{White_Space}+/gu;

/**
 * pad_punctuation: a space on both sides of every character that is not "_", whitespace, a number, a
 * letter or a combining mark, then every whitespace run -> one space. Not stripped: "U.S." becomes
 * "U . S . " with a trailing space, which the reference keeps.
 */
export function padPunctuation(text: string): string {
  return text.replace(PUNCT, " $& ").replace(SPACES, " ");
}

/** SuperGLUE MultiRC remove_markup: "<br>" -> " ", "<b>" and "</b>" removed. */
export function removeMultircMarkup(text: string): string {
  return text.replaceAll("<br>", " ").replace(/<\/?b>/g, "");
}

/**
 * WSC span marking (T5's procedure as the reference ports it): the pattern ^((?:\S+\s){N})(W) with the
 * span text W pasted in UNESCAPED (so it acts as a regex: "." matches any character; text with an
 * unbalanced "(" fails, as in Python); the first match becomes "\1{mark} \2 {mark}". No match -> text
 * unchanged. `escape` (fixQuirks) matches the span text literally.
 */
export function markSpan(text: string, spanText: string, spanIndex: number, mark: string, escape = false): string {
  const word = escape ? spanText.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&") : spanText;
  const pattern = new RegExp(`^((?:[^\\p{White_Space}]+\\p{White_Space}){${spanIndex}})(${word})`, "u");
  return text.replace(pattern, (_m, prefix: string, span: string) => `${prefix}${mark} ${span} ${mark}`);
}
