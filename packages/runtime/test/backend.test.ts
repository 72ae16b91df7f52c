import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { BackendError, backendInfo, initBackend } from "../src/index.ts";

/** Whether an optional peer is installed (these tests check the error for the common case: absent). */
function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

async function backendError(run: () => Promise<unknown>): Promise<BackendError> {
  const error = await run().then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(BackendError);
  expect((error as BackendError).exitCode).toBe(2);
  return error as BackendError;
}

describe("initBackend", () => {
  it("reports that nothing is initialised before the first call", () => {
    expect(backendInfo()).toMatchObject({ backend: "none", threads: null, detail: expect.stringMatching(/not been called/) as unknown });
  });

  it("defaults to wasm (SIMD) and computes on it", async () => {
    const info = await initBackend(undefined, { env: {} });
    expect(info.backend).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.detail).toMatch(/tfjs-backend-wasm 4\.22\.0, SIMD/);
    expect(backendInfo()).toEqual(info);
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync());
    expect(Array.from(y)).toEqual([17, 39]);
    // gradients are registered (the full @tensorflow/tfjs package is loaded)
    const g = tf.grad((x: tf.Tensor) => x.square().sum())(tf.tensor1d([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
    g.dispose();
    // a second call for the same backend is a no-op
    expect(await initBackend("wasm")).toBe(info);
  });

  it("switches to cpu when asked, via the argument or DEPT_BACKEND (case-insensitive)", async () => {
    const info = await initBackend("cpu");
    expect(info).toMatchObject({ backend: "cpu", threads: 1 });
    expect(tf.getBackend()).toBe("cpu");
    await initBackend(undefined, { env: { DEPT_BACKEND: "WASM" } });
    expect(tf.getBackend()).toBe("wasm");
    await initBackend(undefined, { env: { DEPT_BACKEND: " cpu " } });
    expect(tf.getBackend()).toBe("cpu");
    // an empty DEPT_BACKEND counts as unset -> default wasm; the argument beats the environment
    await initBackend(undefined, { env: { DEPT_BACKEND: "" } });
    expect(tf.getBackend()).toBe("wasm");
    await initBackend("cpu", { env: { DEPT_BACKEND: "wasm" } });
    expect(tf.getBackend()).toBe("cpu");
    expect(backendInfo().backend).toBe("cpu");
  });

  it("rejects unknown names, listing the valid ones and where the name came from", async () => {
    const e1 = await backendError(() => initBackend("gpu"));
    expect(e1.message).toBe('--backend: unknown backend "gpu"; expected one of tensorflow, webgpu, wasm, cpu');
    const e2 = await backendError(() => initBackend(undefined, { env: { DEPT_BACKEND: "tpu" } }));
    expect(e2.message).toMatch(/^DEPT_BACKEND: unknown backend "tpu"; expected one of tensorflow, webgpu, wasm, cpu$/);
  });

  const tfNodeInstalled = installed("@tensorflow/tfjs-node") || installed("@tensorflow/tfjs-node-gpu");
  it.skipIf(tfNodeInstalled)("tensorflow without tfjs-node(-gpu) installed names both packages (skipped when one is installed)", async () => {
    const before = tf.getBackend();
    const e = await backendError(() => initBackend("tensorflow"));
    expect(e.message).toContain("@tensorflow/tfjs-node-gpu");
    expect(e.message).toContain("@tensorflow/tfjs-node@4.22.0");
    expect(e.message).toMatch(/not installed/);
    expect(e.message).toContain("build tfjs-node locally (tools/native-backend/build-tfjs-node.sh) and set DEPT_TFJS_NODE_PATH");
    expect(tf.getBackend()).toBe(before); // the active backend is untouched
  });

  const webgpuInstalled = installed("webgpu") || installed("@tensorflow/tfjs-backend-webgpu");
  it.skipIf(webgpuInstalled)("webgpu without its packages names them (skipped when installed)", async () => {
    const e = await backendError(() => initBackend("webgpu"));
    expect(e.message).toContain('"webgpu" package');
    expect(e.message).toContain("@tensorflow/tfjs-backend-webgpu");
    expect(e.message).toContain("pnpm add webgpu @tensorflow/tfjs-backend-webgpu@4.22.0");
  });
});
