// Own file = own worker process: a failed WASM instantiation poisons the wasm module for the process.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { backendInfo, initBackend } from "../src/index.ts";

describe("default wasm that cannot initialise", () => {
  it("falls back to cpu and says why in detail", async () => {
    const info = await initBackend(undefined, { env: {}, wasmDir: "/nonexistent-wasm-dir" });
    expect(info.backend).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(info.detail).toMatch(/fell back to cpu: default backend wasm failed to initialise .*\/nonexistent-wasm-dir\//);
    expect(backendInfo()).toEqual(info);
    expect(Array.from(tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3)).dataSync()))).toEqual([5]);
  });
});
