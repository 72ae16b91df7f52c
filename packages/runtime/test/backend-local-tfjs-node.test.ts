// DEPT_TFJS_NODE_PATH: the "tensorflow" backend from a tfjs-node built outside the workspace
// (tools/native-backend/build-tfjs-node.sh). CI cannot build the native addon, so the happy path uses
// test/fixtures/fake-tfjs-node, a package that registers tfjs's cpu kernels as "tensorflow". Own file =
// own worker: the double's "tensorflow" backend must not leak into the other backend tests.
import * as tf from "@tensorflow/tfjs";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { BackendError, TFJS_NODE_PATH_ENV, initBackend } from "../src/index.ts";

const fixture = fileURLToPath(new URL("./fixtures/fake-tfjs-node", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "dept-tfjs-node-path-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function backendError(setting: string): Promise<BackendError> {
  const error = await initBackend("tensorflow", { env: { [TFJS_NODE_PATH_ENV]: setting } }).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(BackendError);
  expect((error as BackendError).exitCode).toBe(2);
  return error as BackendError;
}

describe(`initBackend("tensorflow") with ${TFJS_NODE_PATH_ENV}`, () => {
  it("rejects a directory without package.json, naming the variable and the path", async () => {
    const missing = join(scratch, "nowhere");
    const e = await backendError(missing);
    expect(e.message).toBe(
      `DEPT_TFJS_NODE_PATH=${missing}: no package.json there; expected the package directory of a built ` +
        `@tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu (tools/native-backend/build-tfjs-node.sh prints it)`,
    );
  });

  it("rejects a package that is not tfjs-node(-gpu)", async () => {
    const other = join(scratch, "other");
    mkdirSync(other);
    writeFileSync(join(other, "package.json"), JSON.stringify({ name: "left-pad", version: "1.0.0" }));
    const e = await backendError(other);
    expect(e.message).toBe(`DEPT_TFJS_NODE_PATH=${other}: package.json names "left-pad"; expected @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node`);
  });

  it("rejects a build that would load a second copy of @tensorflow/tfjs, before importing it", async () => {
    const pkg = join(scratch, "foreign");
    const ownTfjs = join(pkg, "node_modules", "@tensorflow", "tfjs");
    mkdirSync(ownTfjs, { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@tensorflow/tfjs-node", version: "4.22.0", main: "index.js" }));
    // importing this would throw: the guard must stop before the import
    writeFileSync(join(pkg, "index.js"), 'throw new Error("must not be imported");\n');
    writeFileSync(join(ownTfjs, "package.json"), JSON.stringify({ name: "@tensorflow/tfjs", version: "4.22.0", main: "index.js" }));
    writeFileSync(join(ownTfjs, "index.js"), "module.exports = {};\n");
    const e = await backendError(pkg);
    expect(e.message).toContain(`DEPT_TFJS_NODE_PATH=${pkg}: @tensorflow/tfjs-node resolves @tensorflow/tfjs to ${join(ownTfjs, "index.js")}, but @dept/runtime uses `);
    expect(e.message).toMatch(/rerun tools\/native-backend\/build-tfjs-node\.sh from this checkout to relink it$/);
  });

  it("loads the package there, activates its backend and computes on it (gradients included)", async () => {
    const info = await initBackend("tensorflow", { env: { [TFJS_NODE_PATH_ENV]: ` ${fixture} ` } });
    expect(info).toEqual({
      backend: "tensorflow",
      threads: null,
      detail: `@tensorflow/tfjs-node 0.0.0-test-double from DEPT_TFJS_NODE_PATH=${fixture} (libtensorflow 0.0.0-test-double, native)`,
    });
    expect(tf.getBackend()).toBe("tensorflow");
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync());
    expect(Array.from(y)).toEqual([17, 39]);
    const g = tf.grad((x: tf.Tensor) => x.square().sum())(tf.tensor1d([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
    g.dispose();
  });
});
