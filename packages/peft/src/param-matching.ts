// DePT parameter matching (spec §1-§2): DePT with m prompt tokens and rank r trains m*d + s*r + r*d parameters;
// vanilla prompt tuning with L tokens trains L*d. Equal budgets need r = (L - m) * d / (s + d)
// (t5-base, s = 256, L = 100: r = 0.75 * (100 - m), e.g. (60, 30), (40, 45), all 76,800 parameters).
import { PeftUsageError } from "./errors.ts";

/** DePT's default comparison point: vanilla prompt tuning with 100 tokens (train.py --prefix_length default). */
export const DEFAULT_PT_LENGTH = 100;

export interface DeptBudget {
  /** Vanilla prompt-tuning length L to match (default 100). */
  ptLength?: number;
  /** s: padded input length (max_length). */
  maxLength: number;
  /** d: model width (token_dim). */
  tokenDim: number;
}

export interface MatchedPair {
  m: number;
  r: number;
  params: number;
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new PeftUsageError(`${name}: got ${v}; expected an integer >= ${min}`);
}

export function deptTrainableParams(m: number, r: number, s: number, d: number): number {
  return m * d + s * r + r * d;
}

/** The exact (possibly fractional) rank that gives DePT with m tokens the budget of PT-L. */
export function deptRankFor(m: number, budget: DeptBudget): number {
  const L = budget.ptLength ?? DEFAULT_PT_LENGTH;
  checkInt("ptLength", L, 1);
  checkInt("maxLength", budget.maxLength, 1);
  checkInt("tokenDim", budget.tokenDim, 1);
  checkInt("m", m, 0);
  if (m > L) throw new PeftUsageError(`m: got ${m}; expected at most the prompt-tuning length ${L}`);
  return ((L - m) * budget.tokenDim) / (budget.maxLength + budget.tokenDim);
}

/** All (m, r) with integer r >= 1 and 0 <= m < L whose DePT budget equals PT-L exactly (m ascending). */
export function matchedPairs(budget: DeptBudget): MatchedPair[] {
  const L = budget.ptLength ?? DEFAULT_PT_LENGTH;
  const out: MatchedPair[] = [];
  for (let m = 0; m < L; m++) {
    // Integer test in integer arithmetic: (L - m) * d divisible by (s + d).
    const num = (L - m) * budget.tokenDim;
    const den = budget.maxLength + budget.tokenDim;
    if (deptRankFor(m, budget) >= 1 && num % den === 0) {
      const r = num / den;
      out.push({ m, r, params: deptTrainableParams(m, r, budget.maxLength, budget.tokenDim) });
    }
  }
  return out;
}

/** Python's `format(n, ",d")`. */
export function formatThousands(n: number): string {
  const s = String(Math.abs(Math.trunc(n)));
  return (n < 0 ? "-" : "") + s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * peft's PeftModel.print_trainable_parameters line:
 * `trainable params: {t:,d} || all params: {a:,d} || trainable%: {100*t/a:.4f}`.
 * `allParams` counts the frozen base model plus the adapter (peft's get_nb_trainable_parameters).
 */
export function formatTrainableParameters(trainable: number, allParams: number): string {
  const pct = allParams === 0 ? 0 : (100 * trainable) / allParams;
  return `trainable params: ${formatThousands(trainable)} || all params: ${formatThousands(allParams)} || trainable%: ${pct.toFixed(4)}`;
}

/** The print_trainable_parameters line of a PeftModel-like object. */
export function trainableParametersLine(pm: { parameterCounts(): { trainable: number; all: number } }): string {
  const { trainable, all } = pm.parameterCounts();
  return formatTrainableParameters(trainable, all);
}
