// Own file = own worker process: a failed WASM instantiation poisons the wasm module for the process.
import { describe, expect, it } from "vitest";
import { BackendError, initBackend } from "../src/index.ts";

describe("explicitly requested wasm that cannot initialise", () => {
  it("is a BackendError, not a silent fallback (argument and DEPT_BACKEND alike)", async () => {
    const error = await initBackend("wasm", { wasmDir: "/nonexistent-wasm-dir" }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).message).toMatch(/backend "wasm" \(@tensorflow\/tfjs-backend-wasm\) failed to initialise/);
    await expect(initBackend(undefined, { env: { DEPT_BACKEND: "wasm" } })).rejects.toBeInstanceOf(BackendError);
  });
});
