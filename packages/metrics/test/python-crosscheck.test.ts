// Seeded random inputs scored by Python exactly as DePT scores them (fixture written by
// tools/metrics/python_crosscheck.py with numpy/scipy/sklearn/regex): Unicode-heavy SQuAD normalisation,
// Python float() parsing, and every metric on evaluation-sized inputs (up to 5463 examples).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  accuracy,
  f1ScoreWithInvalid,
  matthewsCorrcoef,
  meanMulticlassF1,
  normalizeSquad,
  pearsonCorrcoef,
  pythonFloat,
  spearmanCorrcoef,
  squad,
} from "../src/index.ts";
import { numpyMean, numpySum } from "../src/common.ts";

interface Labelled {
  predictions: string[];
  targets: string[];
  dept_output: Record<string, number>;
  accuracy?: number;
}
interface Fixture {
  normalize_squad: [string, string][];
  python_float: [string, number | "NaN" | "Infinity" | "-Infinity" | null][];
  squad: { predictions: string[]; golds: string[][]; dept_output: { em: number; f1: number } }[];
  f1_invalid: Labelled[];
  macro_f1_cb: Labelled[];
  matthews: Labelled[];
  stsb: Labelled[];
  accuracy: Labelled[];
  numpy_mean: { values: number[]; sum: number; mean: number }[];
}

const fx = JSON.parse(readFileSync(new URL("./fixtures/python-crosscheck.json", import.meta.url), "utf8")) as Fixture;
const TOL = 1e-9; // percent scale, as for the goldens

function near(got: number, want: number): void {
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(TOL);
}

describe("Python cross-check", () => {
  it("normalize_squad on 400 Unicode-heavy strings", () => {
    expect(fx.normalize_squad).toHaveLength(400);
    for (const [input, want] of fx.normalize_squad) expect(normalizeSquad(input), JSON.stringify(input)).toBe(want);
  });
  it("float() on 400 number-like strings", () => {
    expect(fx.python_float).toHaveLength(400);
    for (const [input, want] of fx.python_float) {
      const got = pythonFloat(input);
      if (want === null) expect(got, JSON.stringify(input)).toBeUndefined();
      else if (want === "NaN") expect(got).toBeNaN();
      else if (want === "Infinity") expect(got).toBe(Number.POSITIVE_INFINITY);
      else if (want === "-Infinity") expect(got).toBe(Number.NEGATIVE_INFINITY);
      else expect(got, JSON.stringify(input)).toBe(want);
    }
  });
  it("squad EM/F1", () => {
    for (const c of fx.squad) {
      const got = squad(c.predictions, c.golds);
      near(got.em, c.dept_output.em);
      near(got.f1, c.dept_output.f1);
    }
  });
  it("f1_score_with_invalid, accuracy, macro F1, MCC, pearson, spearman", () => {
    for (const c of fx.f1_invalid) {
      near(f1ScoreWithInvalid(c.predictions, c.targets).f1, c.dept_output.f1!);
      near(accuracy(c.predictions, c.targets).accuracy, c.accuracy!);
    }
    for (const c of fx.macro_f1_cb) near(meanMulticlassF1(c.predictions, c.targets).f1_multiclass, c.dept_output.f1_multiclass!);
    for (const c of fx.matthews) near(matthewsCorrcoef(c.predictions, c.targets).matthews_correlation, c.dept_output.matthews_correlation!);
    for (const c of fx.stsb) {
      near(pearsonCorrcoef(c.predictions, c.targets).pearson, c.dept_output.pearson!);
      near(spearmanCorrcoef(c.predictions, c.targets).spearmanr, c.dept_output.spearmanr!);
    }
  });
  it("accuracy on 200 and 5463 examples", () => {
    for (const c of fx.accuracy) near(accuracy(c.predictions, c.targets).accuracy, c.dept_output.accuracy!);
  });
  it("SQuAD means are bit-identical to numpy's np.mean", () => {
    for (const c of fx.squad) expect(squad(c.predictions, c.golds)).toEqual(c.dept_output);
  });
  it("numpySum / numpyMean reproduce numpy's pairwise summation bit for bit (1 to 1000 values)", () => {
    for (const c of fx.numpy_mean) {
      expect(numpySum(c.values), `n=${c.values.length}`).toBe(c.sum);
      expect(numpyMean(c.values), `n=${c.values.length}`).toBe(c.mean);
    }
  });
});
