// The eval generation budget follows the reference's HF `generate(max_length=generation_max_length)`.
import { describe, expect, it } from "vitest";
import { evalMaxNewTokens } from "../src/train.ts";

describe("evalMaxNewTokens", () => {
  it("T5: max_length counts the decoder start token, so 20 allows 19 new tokens", () => {
    expect(evalMaxNewTokens(true, 20)).toBe(19);
    expect(evalMaxNewTokens(true, 2)).toBe(1);
  });
  it("decoder-only: the reference's s + 20 over an s-token prompt is 20 new tokens", () => {
    expect(evalMaxNewTokens(false, 20)).toBe(20);
  });
});
