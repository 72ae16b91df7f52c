// Pearson and Spearman correlations for stsb. Follows DePT src/metrics.py `pearson_corrcoef` /
// `spearman_corrcoef`: both sides go through `string_to_float` (Python float(), else -1.0; see
// python-text.ts), then `100 * scipy.stats.pearsonr(targets, predictions)[0]` (resp. `spearmanr`), and a NaN
// result becomes 0 (`if math.isnan(v): v = 0`), e.g. for constant predictions. Predictions are not rounded
// or clipped to the 0..5 label grid.
//
// The arithmetic follows scipy 1.17 (the version of the goldens):
// - pearsonr (scipy/stats/_stats_py.py): constant input -> NaN; xm = x - mean(x); the norm is taken of
//   xm / max|xm| and scaled back (overflow guard); r = <xm/|xm|, ym/|ym|>, clipped to [-1, 1]. A NaN input
//   propagates to NaN. Fewer than 2 values raise ValueError in scipy; here a MetricInputError.
// - spearmanr: fewer than 2 values -> NaN; constant input -> NaN; any NaN -> NaN (nan_policy="propagate");
//   else np.corrcoef of the average ranks (scipy.stats.rankdata, ties get the mean of their ranks):
//   cov = <xr - mean, yr - mean> * (1 / (n - 1)), divided by std(y) then std(x), clipped to [-1, 1].
import { checkNonEmpty, checkPaired, numpyMean, numpySum, scaleValue, type MetricOptions } from "./common.ts";
import { stringToFloat } from "./python-text.ts";

function dot(a: readonly number[], b: readonly number[]): number {
  return numpySum(a.map((v, i) => v * b[i]!));
}

function isConstant(values: readonly number[]): boolean {
  return values.every((v) => v === values[0]);
}

function clip(r: number): number {
  return Number.isNaN(r) ? r : Math.min(1, Math.max(-1, r));
}

/** scipy.stats.pearsonr(x, y).statistic for two equal-length vectors of at least 2 values. */
export function pearsonR(x: readonly number[], y: readonly number[]): number {
  checkPaired("pearson", x, y);
  checkNonEmpty("pearson", x.length, 2);
  if (isConstant(x) || isConstant(y)) return Number.NaN;
  const centre = (v: readonly number[]): number[] => {
    const mean = numpyMean(v);
    return v.map((e) => e - mean);
  };
  const xm = centre(x);
  const ym = centre(y);
  const norm = (v: readonly number[]): number => {
    let vmax = 0;
    for (const e of v) vmax = Math.abs(e) > vmax || Number.isNaN(e) ? Math.abs(e) : vmax;
    const scaled = v.map((e) => e / vmax);
    return vmax * Math.sqrt(dot(scaled, scaled));
  };
  const nx = norm(xm);
  const ny = norm(ym);
  return clip(
    dot(
      xm.map((e) => e / nx),
      ym.map((e) => e / ny),
    ),
  );
}

/** scipy.stats.rankdata(values, method="average"): 1-based ranks, ties share the mean of their ranks. */
export function rankAverage(values: readonly number[]): number[] {
  // Comparisons rather than subtraction, so +-Infinity sort correctly (Infinity - Infinity is NaN).
  const order = values
    .map((_, i) => i)
    .sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    // positions start..end-1 (0-based) hold ranks start+1..end; their mean is (start + 1 + end) / 2
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

/** scipy.stats.spearmanr(x, y).statistic for two equal-length vectors. */
export function spearmanR(x: readonly number[], y: readonly number[]): number {
  checkPaired("spearmanr", x, y);
  const n = x.length;
  if (n <= 1) return Number.NaN;
  if (isConstant(x) || isConstant(y)) return Number.NaN;
  if (x.some(Number.isNaN) || y.some(Number.isNaN)) return Number.NaN;
  const centre = (v: readonly number[]): number[] => {
    const mean = numpyMean(v);
    return v.map((e) => e - mean);
  };
  const xr = centre(rankAverage(x));
  const yr = centre(rankAverage(y));
  // np.cov multiplies by 1 / (n - 1) rather than dividing; np.corrcoef divides by std(y), then std(x).
  const inv = 1 / (n - 1);
  const cxy = dot(yr, xr) * inv;
  const sx = Math.sqrt(dot(xr, xr) * inv);
  const sy = Math.sqrt(dot(yr, yr) * inv);
  return clip(cxy / sy / sx);
}

/** DePT's NaN guard: an undefined correlation is reported as 0. */
function nanToZero(v: number): number {
  return Number.isNaN(v) ? 0 : v;
}

export function pearsonCorrcoef(
  predictions: readonly string[],
  targets: readonly string[],
  opts?: MetricOptions,
): { pearson: number } {
  checkPaired("pearson", predictions, targets);
  const r = pearsonR(targets.map((t) => stringToFloat(t)), predictions.map((p) => stringToFloat(p)));
  return { pearson: nanToZero(scaleValue(r, opts)) };
}

export function spearmanCorrcoef(
  predictions: readonly string[],
  targets: readonly string[],
  opts?: MetricOptions,
): { spearmanr: number } {
  checkPaired("spearmanr", predictions, targets);
  const r = spearmanR(targets.map((t) => stringToFloat(t)), predictions.map((p) => stringToFloat(p)));
  return { spearmanr: nanToZero(scaleValue(r, opts)) };
}
