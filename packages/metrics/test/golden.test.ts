// Every case of the metric goldens (test/fixtures, copied from shared/golden/metrics) against our port.
// Tolerance: 1e-9 absolute on the percent scale (golden README: two library versions differ by <= 4.1e-16
// relative), 1e-11 on the 0-1 scale; intermediate strings, counts and parses must match exactly.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  accuracy,
  binaryCountsWithInvalid,
  f1ScoreWithInvalid,
  matthewsCorrcoef,
  meanMulticlassF1,
  normalizeSquad,
  pearsonCorrcoef,
  pearsonR,
  perClassF1,
  spearmanCorrcoef,
  spearmanR,
  squad,
  squadExampleScore,
  stringToFloat,
} from "../src/index.ts";

type Num = number | "NaN" | "Infinity" | "-Infinity";
interface SquadExample {
  prediction: string;
  golds: string[];
  normalized_prediction: string;
  normalized_golds: string[];
  em: number;
  f1: number;
}
/** The union of the case fields of the six golden files (each file uses its own subset). */
interface Case {
  name: string;
  predictions: string[];
  targets: string[];
  golds: string[][];
  raw: Num & { em: number; f1: number };
  dept_output: Record<string, Num>;
  counts: { tp: number; fp: number; fn: number };
  invalid_mask: boolean[];
  per_class_f1: Record<string, number>;
  targets_parsed: Num[];
  predictions_parsed: Num[];
  pearson: { raw: Num };
  spearman: { raw: Num };
  examples: SquadExample[];
}

function load(file: string): Case[] {
  const json = JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8")) as { cases: Case[] };
  return json.cases;
}

function num(v: Num): number {
  if (v === "NaN") return Number.NaN;
  if (v === "Infinity") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
  return v;
}

function close(got: number, want: Num, tol: number): void {
  const w = num(want);
  if (Number.isNaN(w)) {
    expect(got).toBeNaN();
    return;
  }
  expect(Math.abs(got - w), `got ${got}, want ${w}`).toBeLessThanOrEqual(tol);
}

const PERCENT_TOL = 1e-9;
const FRACTION_TOL = 1e-11;

describe("golden accuracy.json", () => {
  const cases = load("accuracy.json");
  it("has all 16 cases", () => expect(cases).toHaveLength(16));
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    close(accuracy(c.predictions, c.targets).accuracy, c.dept_output.accuracy!, PERCENT_TOL);
    close(accuracy(c.predictions, c.targets, { scale: "fraction" }).accuracy, c.raw, FRACTION_TOL);
  });
});

describe("golden f1_invalid.json", () => {
  const cases = load("f1_invalid.json");
  it("has all 15 cases", () => expect(cases).toHaveLength(15));
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    close(f1ScoreWithInvalid(c.predictions, c.targets).f1, c.dept_output.f1!, PERCENT_TOL);
    close(f1ScoreWithInvalid(c.predictions, c.targets, { scale: "fraction" }).f1, c.raw, FRACTION_TOL);
    const counts = binaryCountsWithInvalid(c.predictions, c.targets);
    expect({ tp: counts.tp, fp: counts.fp, fn: counts.fn }).toEqual(c.counts);
    expect(counts.invalid).toBe(c.invalid_mask.filter(Boolean).length);
  });
});

describe("golden macro_f1_cb.json", () => {
  const cases = load("macro_f1_cb.json");
  it("has all 15 cases", () => expect(cases).toHaveLength(15));
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    close(meanMulticlassF1(c.predictions, c.targets).f1_multiclass, c.dept_output.f1_multiclass!, PERCENT_TOL);
    close(meanMulticlassF1(c.predictions, c.targets, { scale: "fraction" }).f1_multiclass, c.raw, FRACTION_TOL);
    const perClass = perClassF1(c.predictions, c.targets);
    const want = c.per_class_f1;
    ["0", "1", "2"].forEach((k, i) => close(perClass[i]!, want[k]!, FRACTION_TOL));
  });
});

describe("golden matthews_cola.json", () => {
  const cases = load("matthews_cola.json");
  it("has all 15 cases", () => expect(cases).toHaveLength(15));
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    close(matthewsCorrcoef(c.predictions, c.targets).matthews_correlation, c.dept_output.matthews_correlation!, PERCENT_TOL);
    close(matthewsCorrcoef(c.predictions, c.targets, { scale: "fraction" }).matthews_correlation, c.raw, FRACTION_TOL);
  });
});

describe("golden stsb_correlation.json", () => {
  const cases = load("stsb_correlation.json");
  it("has all 15 cases", () => expect(cases).toHaveLength(15));
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const tParsed = c.targets.map((s) => stringToFloat(s));
    const pParsed = c.predictions.map((s) => stringToFloat(s));
    expect(tParsed).toEqual(c.targets_parsed.map(num));
    expect(pParsed).toEqual(c.predictions_parsed.map(num));
    // scipy's values before DePT's NaN guard
    close(pearsonR(tParsed, pParsed), c.pearson.raw, FRACTION_TOL);
    close(spearmanR(tParsed, pParsed), c.spearman.raw, FRACTION_TOL);
    // DePT's outputs (NaN -> 0)
    close(pearsonCorrcoef(c.predictions, c.targets).pearson, c.dept_output.pearson!, PERCENT_TOL);
    close(spearmanCorrcoef(c.predictions, c.targets).spearmanr, c.dept_output.spearmanr!, PERCENT_TOL);
    const guarded = (v: Num): number => (Number.isNaN(num(v)) ? 0 : num(v));
    close(pearsonCorrcoef(c.predictions, c.targets, { scale: "fraction" }).pearson, guarded(c.pearson.raw), FRACTION_TOL);
    close(spearmanCorrcoef(c.predictions, c.targets, { scale: "fraction" }).spearmanr, guarded(c.spearman.raw), FRACTION_TOL);
  });
});

describe("golden squad.json", () => {
  const cases = load("squad.json");
  it("has all 18 cases", () => expect(cases).toHaveLength(18));
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const out = squad(c.predictions, c.golds);
    close(out.em, c.dept_output.em!, PERCENT_TOL);
    close(out.f1, c.dept_output.f1!, PERCENT_TOL);
    const frac = squad(c.predictions, c.golds, { scale: "fraction" });
    close(frac.em, c.raw.em, FRACTION_TOL);
    close(frac.f1, c.raw.f1, FRACTION_TOL);
    for (const ex of c.examples) {
      expect(normalizeSquad(ex.prediction)).toBe(ex.normalized_prediction);
      expect(ex.golds.map(normalizeSquad)).toEqual(ex.normalized_golds);
      const score = squadExampleScore(ex.prediction, ex.golds);
      expect(score.em).toBe(ex.em);
      close(score.f1, ex.f1, FRACTION_TOL);
    }
  });
  it("matches DePT's np.mean * 100 bit for bit on batch_7 (not the official 100 * sum / n)", () => {
    const c = cases.find((x) => x.name === "batch_7")!;
    expect(squad(c.predictions, c.golds).f1).toBe(c.dept_output.f1);
  });
});
