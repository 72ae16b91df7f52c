// Text helpers against goldens computed by the reference's own libraries (numpy, `regex`):
// test/fixtures/text-goldens.json from tools/make_text_goldens.py.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getTask } from "../src/index.ts";
import { markSpan, npRound, padPunctuation, pyFloatRepr, pyStr, removeMultircMarkup, rintHalfEven, stsbTargetFixed, stsbTargetReference } from "../src/text.ts";

interface Goldens {
  padPunctuation: [string, string][];
  stsb: [number, string][];
  stsbLabelsList: string[];
  wsc: [{ text: string; span1_text: string; span1_index: number; span2_text: string; span2_index: number }, string][];
  multircMarkup: [string, string][];
}
const G = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "text-goldens.json"), "utf8")) as Goldens;

describe("pad_punctuation (regex module semantics)", () => {
  it.each(G.padPunctuation)("%j", (input, expected) => {
    expect(padPunctuation(input)).toBe(expected);
  });
});

describe("STS-B target: str(np.round((label*5)/5, 1)) on float32 labels", () => {
  it(`matches numpy on ${G.stsb.length} values, half-to-even included`, () => {
    const wrong = G.stsb.filter(([v, s]) => stsbTargetReference(v) !== s);
    expect(wrong).toEqual([]);
    expect(stsbTargetReference(3.75)).toBe("3.8");
    expect(stsbTargetReference(2.25)).toBe("2.2");
  });
  it("labels_list is numpy's 26 strings", () => {
    expect(getTask("stsb").labelsList).toEqual(G.stsbLabelsList);
  });
  it("fixQuirks rounds to the nearest 0.2 (T5)", () => {
    expect([3.75, 2.4, 2.5, 0.1, 4.9, 5].map(stsbTargetFixed)).toEqual(["3.8", "2.4", "2.4", "0.0", "4.8", "5.0"]);
  });
  it("numpy rint / round and Python float repr", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999].map(rintHalfEven)).toEqual([0, 2, 2, -0, -2, 2]);
    expect(npRound(0.25, 1)).toBe(0.2);
    expect([1, 0.1, -0, 1e-5, 1e16, 2.5].map(pyFloatRepr)).toEqual(["1.0", "0.1", "-0.0", "1e-05", "1e+16", "2.5"]);
    expect([1, true, "x", null].map(pyStr)).toEqual(["1", "True", "x", "None"]);
  });
});

describe("WSC span marking and MultiRC markup", () => {
  it.each(G.wsc)("%j", (ex, expected) => {
    let text = markSpan(ex.text, ex.span1_text, ex.span1_index, "*");
    text = markSpan(text, ex.span2_text, ex.span2_index + (ex.span1_index < ex.span2_index ? 2 : 0), "#");
    expect(text).toBe(expected);
  });
  it("escape=true matches the span text literally", () => {
    expect(markSpan("Mr X met Mr. Y", "Mr.", 0, "*")).toBe("* Mr  *X met Mr. Y");
    expect(markSpan("Mr X met Mr. Y", "Mr.", 0, "*", true)).toBe("Mr X met Mr. Y");
    expect(markSpan("Mr. X met Y", "Mr.", 0, "*", true)).toBe("* Mr. * X met Y");
  });
  it.each(G.multircMarkup)("%j", (input, expected) => {
    expect(removeMultircMarkup(input)).toBe(expected);
  });
});
