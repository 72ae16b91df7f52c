import { describe, expect, it } from "vitest";
import { deptRankFor, deptTrainableParams, formatThousands, formatTrainableParameters, matchedPairs, PeftUsageError } from "../src/index.ts";

describe("DePT parameter matching (spec §1-§2)", () => {
  it("t5-base, s = 256: the released (m, r) pairs all cost 76,800 = PT-100", () => {
    const pairs = matchedPairs({ maxLength: 256, tokenDim: 768 });
    for (const [m, r] of [[80, 15], [60, 30], [40, 45], [20, 60], [0, 75]] as const) {
      expect(pairs).toContainEqual({ m, r, params: 76_800 });
    }
    // r = 0.75 (100 - m) is an integer exactly when 4 divides 100 - m.
    expect(pairs.map((p) => p.m)).toEqual(Array.from({ length: 25 }, (_, i) => 4 * i));
    for (const p of pairs) expect(p.params).toBe(100 * 768);
  });
  it("MRQA s = 512: (60, 24) matches exactly", () => {
    expect(deptRankFor(60, { maxLength: 512, tokenDim: 768 })).toBe(24);
    expect(deptTrainableParams(60, 24, 512, 768)).toBe(76_800);
  });
  it("MultiRC s = 348 with (60, 30) is not exact: 79,560", () => {
    expect(deptTrainableParams(60, 30, 348, 768)).toBe(79_560);
    expect(matchedPairs({ maxLength: 348, tokenDim: 768 }).some((p) => p.m === 60)).toBe(false);
  });
  it("Llama-2-7b example of issue #2: (40, 60) at s = 64 costs 413,440 vs PT-100 409,600", () => {
    expect(deptTrainableParams(40, 60, 64, 4096)).toBe(413_440);
  });
  it("bad arguments are refused", () => {
    expect(() => deptRankFor(120, { maxLength: 256, tokenDim: 768 })).toThrow(PeftUsageError);
    expect(() => deptRankFor(10, { maxLength: 0, tokenDim: 768 })).toThrow(/maxLength: got 0/);
  });
});

describe("print_trainable_parameters format", () => {
  it("matches peft's f-string", () => {
    expect(formatThousands(222_903_552)).toBe("222,903,552");
    expect(formatThousands(999)).toBe("999");
    expect(formatTrainableParameters(76_800, 222_903_552 + 76_800)).toBe("trainable params: 76,800 || all params: 222,980,352 || trainable%: 0.0344");
  });
});
