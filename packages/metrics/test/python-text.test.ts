import { describe, expect, it } from "vitest";
import { normalizeSquad, postprocessDecoded, postprocessText, pythonFloat, pythonSplit, pythonStrip, rankAverage, stringToFloat } from "../src/index.ts";

describe("Python float() (string_to_float)", () => {
  it("accepts what Python accepts", () => {
    const cases: [string, number][] = [
      ["3.8", 3.8],
      [" 2.5 ", 2.5],
      ["\u00a03\u2003", 3],
      ["+3", 3],
      ["-0.5", -0.5],
      [".5", 0.5],
      ["5.", 5],
      ["5.e1", 50],
      ["1e1", 10],
      ["1E-2", 0.01],
      ["1_0", 10],
      ["1_0.5_5", 10.55],
      ["1e1_0", 1e10],
      ["04.0", 4],
      ["1e400", Number.POSITIVE_INFINITY],
      ["inf", Number.POSITIVE_INFINITY],
      ["-Infinity", Number.NEGATIVE_INFINITY],
      ["INF", Number.POSITIVE_INFINITY],
      ["\u0663.\u0665", 3.5], // Arabic-Indic digits
      ["\uff11\uff12", 12], // full-width digits
      ["\u{1d7d9}", 1], // mathematical double-struck one (second run of the block)
    ];
    for (const [s, v] of cases) expect(pythonFloat(s), JSON.stringify(s)).toBe(v);
    expect(pythonFloat("nan")).toBeNaN();
    expect(pythonFloat("-NaN")).toBeNaN();
  });
  it("rejects what Python rejects; string_to_float then gives -1.0", () => {
    for (const s of ["", " ", "abc", "4.2.1", "1__0", "_1", "1_", "1._5", "1_.5", "0x1", "1e", ".", "e1", "infinit", "+-1", "nan(1)", "1,5", "3.8\u200b"]) {
      expect(pythonFloat(s), JSON.stringify(s)).toBeUndefined();
      expect(stringToFloat(s)).toBe(-1);
    }
  });
});

describe("Python whitespace", () => {
  it("strip/split use str.isspace(), not JavaScript's \\s", () => {
    expect(pythonStrip("\u001c\u0085 a b \t\n")).toBe("a b");
    expect(pythonStrip("\ufeffa")).toBe("\ufeffa"); // BOM is not Python whitespace
    expect(pythonSplit("  a\u3000b\u001fc  ")).toEqual(["a", "b", "c"]);
    expect(pythonSplit(" \t ")).toEqual([]);
  });
  it("post-processing strips decoded strings like DePT's PostProcessor", () => {
    expect(postprocessText("  1 \n")).toBe("1");
    expect(postprocessDecoded([" 0", "1 "], ["0\n", " 1"])).toEqual({ predictions: ["0", "1"], labels: ["0", "1"] });
    expect(() => postprocessDecoded(["0"], [])).toThrow(/1 predictions but 0 references/);
  });
});

describe("SQuAD normalisation details", () => {
  it("treats Unicode letters, marks and digits as word characters for \\b", () => {
    expect(normalizeSquad("Théa")).toBe("théa");
    expect(normalizeSquad("a\u0301 b")).toBe("a\u0301 b"); // combining mark keeps 'a' inside a word
    expect(normalizeSquad("a1 the 2a an")).toBe("a1 2a");
    expect(normalizeSquad("The «Best» … an Apple")).toBe("«best» … apple");
  });
});

describe("rankAverage (scipy.stats.rankdata method='average')", () => {
  it("gives ties the mean of their ranks and orders infinities", () => {
    expect(rankAverage([1, 1, 2, 2, 3, 3])).toEqual([1.5, 1.5, 3.5, 3.5, 5.5, 5.5]);
    expect(rankAverage([3, -1, Number.POSITIVE_INFINITY, -1, Number.NEGATIVE_INFINITY])).toEqual([4, 2.5, 5, 2.5, 1]);
  });
});
