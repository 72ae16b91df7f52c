// TensorFlow.js backend choice for every `dept` command and test: `--backend` / DEPT_BACKEND in
// {tensorflow, webgpu, wasm, cpu}, default wasm. The optional backends are peer dependencies the user
// installs (tfjs-node downloads libtensorflow at install time; webgpu ships Dawn binaries). They are
// loaded with dynamic import(), so this package works without them and a missing one is a BackendError
// naming the package to install.
//
// Fallback policy: when wasm is the DEFAULT (neither the argument nor DEPT_BACKEND named a backend) and
// it fails to initialise, we fall back to cpu and say so in BackendInfo.detail. When the user asked for
// a backend explicitly (argument or DEPT_BACKEND), any failure is a BackendError: silently running on
// another, much slower backend would make timings and long runs misleading.
//
// A tfjs-node built locally (tools/native-backend/build-tfjs-node.sh, against the libtensorflow of the
// tensorflow-cpu pip wheel, for machines where its install script cannot download libtensorflow) lives
// outside the workspace; DEPT_TFJS_NODE_PATH names its package directory, so no package.json changes.
//
// @tensorflow/tfjs (the full package: it registers cpu and the gradients; tfjs-core alone has none) is
// imported lazily by initBackend, so importing @dept/runtime for safetensors or RNG costs no tfjs load.
import type * as Tfjs from "@tensorflow/tfjs";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BackendError } from "./errors.ts";

export type BackendName = "tensorflow" | "webgpu" | "wasm" | "cpu";
export const BACKEND_NAMES: readonly BackendName[] = ["tensorflow", "webgpu", "wasm", "cpu"];
export const DEFAULT_BACKEND: BackendName = "wasm";

export interface BackendInfo {
  /** The active tfjs backend name (what tf.getBackend() reports). */
  backend: string;
  /** Worker threads the backend computes with, where known (wasm: XNNPACK threads; cpu: 1). */
  threads: number | null;
  /** Human-readable details for logs: package, SIMD, why a fallback happened. */
  detail: string;
}

export interface InitBackendOptions {
  /** Environment to read DEPT_BACKEND and DEPT_TFJS_NODE_PATH from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** wasm: XNNPACK thread count (default: available cores). Node runs the single-threaded SIMD binary
   *  (tfjs disables WASM threads in Node, tensorflow/tfjs#3830), so the effective count is reported back. */
  threads?: number;
  /** wasm: directory holding the tfjs-backend-wasm*.wasm binaries (default: the installed package's dist/). */
  wasmDir?: string;
}

/** Optional packages for "tensorflow", in order of preference. */
const TENSORFLOW_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

/** Environment variable naming the package directory of a locally built tfjs-node(-gpu); when set, the
 *  "tensorflow" backend loads exactly that package (no fallback to an installed one). */
export const TFJS_NODE_PATH_ENV = "DEPT_TFJS_NODE_PATH";

let current: BackendInfo | null = null;
let tfjs: typeof Tfjs | null = null;

async function loadTfjs(): Promise<typeof Tfjs> {
  tfjs ??= await import("@tensorflow/tfjs");
  return tfjs;
}

/** Validates a backend name (case-insensitive); unknown names list the valid ones. */
export function parseBackendName(name: string, source = "--backend"): BackendName {
  const normalized = name.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(normalized)) return normalized as BackendName;
  throw new BackendError(`${source}: unknown backend ${JSON.stringify(name)}; expected one of ${BACKEND_NAMES.join(", ")}`);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether `specifier` resolves from `base` (Node's resolution; an ESM-only package whose exports lack a
 *  "require" condition still counts as installed). */
function resolvable(specifier: string, base: string): boolean {
  try {
    createRequire(base).resolve(specifier);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ERR_PACKAGE_PATH_NOT_EXPORTED";
  }
}

/**
 * import() of an optional package, looked up first from this package (a workspace install), then from
 * the current working directory (the user's own project). Returns null when it is not installed there;
 * load errors of an installed package (e.g. a broken native binding) propagate. Resolving before
 * importing keeps "not installed" independent of the loader's error format (Node, tsx, vitest differ).
 */
async function importOptional(specifier: string): Promise<Record<string, unknown> | null> {
  if (resolvable(specifier, import.meta.url)) return (await import(specifier)) as Record<string, unknown>;
  const cwdBase = join(process.cwd(), "package.json");
  if (!resolvable(specifier, cwdBase)) return null;
  const resolved = createRequire(cwdBase).resolve(specifier);
  return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
}

async function activate(tf: typeof Tfjs, name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** libtensorflow's version as the tfjs-node binding reports it (TF_Version()), when it does. */
function libtensorflowVersion(tf: typeof Tfjs): string {
  const binding = (tf.backend() as unknown as { binding?: { TF_Version?: unknown } }).binding;
  return typeof binding?.TF_Version === "string" ? `libtensorflow ${binding.TF_Version}` : "libtensorflow";
}

/** The real path of the @tensorflow/tfjs that `base` (a file path or URL) resolves, or null. */
function tfjsRealPath(base: string): string | null {
  try {
    return realpathSync(createRequire(base).resolve("@tensorflow/tfjs"));
  } catch {
    return null;
  }
}

/** Loads the tfjs-node(-gpu) package directory named by DEPT_TFJS_NODE_PATH. */
async function initTensorflowFrom(tf: typeof Tfjs, setting: string): Promise<BackendInfo> {
  const dir = resolve(setting);
  const where = `${TFJS_NODE_PATH_ENV}=${dir}`;
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) {
    throw new BackendError(
      `${where}: no package.json there; expected the package directory of a built @tensorflow/tfjs-node or ` +
        `@tensorflow/tfjs-node-gpu (tools/native-backend/build-tfjs-node.sh prints it)`,
    );
  }
  let pkg: { name?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown };
  } catch (error) {
    throw new BackendError(`${where}: package.json is not valid JSON (${errorMessage(error)})`);
  }
  const name = typeof pkg.name === "string" ? pkg.name : "";
  if (!(TENSORFLOW_PACKAGES as readonly string[]).includes(name)) {
    throw new BackendError(`${where}: package.json names ${JSON.stringify(pkg.name)}; expected ${TENSORFLOW_PACKAGES.join(" or ")}`);
  }
  // The package must compute with the SAME @tensorflow/tfjs as this process: a second copy registers
  // every kernel again and its tensors are another class's instances. The build script links the
  // package's @tensorflow/tfjs to the checkout it was run from.
  const ours = tfjsRealPath(import.meta.url);
  const theirs = tfjsRealPath(manifest);
  if (ours !== null && theirs !== ours) {
    throw new BackendError(
      `${where}: ${name} resolves @tensorflow/tfjs to ${theirs ?? "nothing"}, but @dept/runtime uses ${ours}; ` +
        `rerun tools/native-backend/build-tfjs-node.sh from this checkout to relink it`,
    );
  }
  try {
    await import(pathToFileURL(createRequire(manifest).resolve(dir)).href);
  } catch (error) {
    throw new BackendError(`${where}: ${name} failed to load (${errorMessage(error)})`);
  }
  if (!(await activate(tf, "tensorflow"))) {
    throw new BackendError(`${where}: ${name} loaded but tf.setBackend("tensorflow") failed`);
  }
  const version = typeof pkg.version === "string" ? pkg.version : "?";
  return { backend: tf.getBackend(), threads: null, detail: `${name} ${version} from ${where} (${libtensorflowVersion(tf)}, native)` };
}

async function initTensorflow(tf: typeof Tfjs, env: NodeJS.ProcessEnv): Promise<BackendInfo> {
  const local = env[TFJS_NODE_PATH_ENV];
  if (local !== undefined && local.trim() !== "") return initTensorflowFrom(tf, local.trim());
  const tfjsVersion = tf.version.tfjs;
  const failures: string[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    try {
      const mod = await importOptional(pkg);
      if (mod === null) {
        failures.push(`${pkg}: not installed`);
        continue;
      }
    } catch (error) {
      failures.push(`${pkg}: failed to load (${errorMessage(error)})`);
      continue;
    }
    if (await activate(tf, "tensorflow")) {
      return { backend: tf.getBackend(), threads: null, detail: `${pkg} (${libtensorflowVersion(tf)}, native)` };
    }
    failures.push(`${pkg}: loaded but tf.setBackend("tensorflow") failed (version mismatch with @tensorflow/tfjs ${tfjsVersion}?)`);
  }
  throw new BackendError(
    `backend "tensorflow" needs @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node (CPU), version ${tfjsVersion}: ` +
      `install one with \`pnpm add @tensorflow/tfjs-node@${tfjsVersion}\` or \`pnpm add @tensorflow/tfjs-node-gpu@${tfjsVersion}\`, ` +
      `or build tfjs-node locally (tools/native-backend/build-tfjs-node.sh) and set ${TFJS_NODE_PATH_ENV} ` +
      `(${failures.join("; ")})`,
  );
}

async function initWebgpu(tf: typeof Tfjs): Promise<BackendInfo> {
  const tfjsVersion = tf.version.tfjs;
  const install = `install both with \`pnpm add webgpu @tensorflow/tfjs-backend-webgpu@${tfjsVersion}\``;
  let dawn: Record<string, unknown> | null;
  try {
    dawn = await importOptional("webgpu");
  } catch (error) {
    throw new BackendError(`backend "webgpu": the "webgpu" package (Dawn) failed to load: ${errorMessage(error)}`);
  }
  if (dawn === null) {
    throw new BackendError(`backend "webgpu" needs the "webgpu" package (Dawn for Node) and @tensorflow/tfjs-backend-webgpu: ${install}`);
  }
  const create = dawn.create;
  if (typeof create !== "function") {
    throw new BackendError(`backend "webgpu": the installed "webgpu" package has no create() export (expected webgpu >= 0.2)`);
  }
  // tfjs-backend-webgpu checks navigator.gpu when its module is evaluated, so the WebGPU globals
  // (GPUBufferUsage, ...) and navigator.gpu must exist BEFORE it is imported.
  if (typeof dawn.globals === "object" && dawn.globals !== null) Object.assign(globalThis, dawn.globals);
  const gpu = (create as (flags: string[]) => { requestAdapter(): Promise<unknown> })([]);
  // Ask for an adapter ourselves: tfjs's factory would fail on a null adapter with a bare TypeError.
  // On Linux Dawn needs the Vulkan loader (libvulkan.so.1) and a GPU driver; it prints why it found none.
  const adapter = await gpu.requestAdapter();
  if (adapter === null || adapter === undefined) {
    throw new BackendError(
      `backend "webgpu": no WebGPU adapter available (Dawn found no usable GPU/driver: Vulkan, Metal or D3D12); use --backend wasm or tensorflow`,
    );
  }
  Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  let mod: Record<string, unknown> | null;
  try {
    mod = await importOptional("@tensorflow/tfjs-backend-webgpu");
  } catch (error) {
    throw new BackendError(`backend "webgpu": @tensorflow/tfjs-backend-webgpu failed to load: ${errorMessage(error)}`);
  }
  if (mod === null) {
    throw new BackendError(`backend "webgpu" needs @tensorflow/tfjs-backend-webgpu@${tfjsVersion} (and "webgpu"): ${install}`);
  }
  // setBackend returns false (it does not throw) when the backend factory fails.
  if (!(await activate(tf, "webgpu"))) {
    throw new BackendError(`backend "webgpu": tf.setBackend("webgpu") failed although Dawn reported an adapter (see the warning above)`);
  }
  return { backend: tf.getBackend(), threads: null, detail: `@tensorflow/tfjs-backend-webgpu on Dawn ("webgpu" package)` };
}

interface WasmModule {
  setWasmPaths(prefix: string): void;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/** The installed @tensorflow/tfjs-backend-wasm's dist/ folder (with a trailing slash, as setWasmPaths wants). */
function defaultWasmDir(): string {
  const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
  return dirname(main) + "/";
}

let wasmPathsSet = false;

async function initWasm(tf: typeof Tfjs, opts: InitBackendOptions): Promise<BackendInfo> {
  const wasm = (await import("@tensorflow/tfjs-backend-wasm")) as unknown as WasmModule;
  const dir = opts.wasmDir === undefined ? defaultWasmDir() : opts.wasmDir.endsWith("/") ? opts.wasmDir : `${opts.wasmDir}/`;
  // setWasmPaths throws once the module has been instantiated; only the first init may set it.
  if (!wasmPathsSet) {
    wasm.setWasmPaths(dir);
    wasm.setThreadsCount(opts.threads ?? availableParallelism());
    wasmPathsSet = true;
  }
  if (!(await activate(tf, "wasm"))) {
    throw new Error(`tf.setBackend("wasm") failed to instantiate the binary from ${dir}`);
  }
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
  const threads = wasm.getThreadsCount();
  return {
    backend: tf.getBackend(),
    threads,
    detail: `@tensorflow/tfjs-backend-wasm ${tf.version.tfjs}, ${simd ? "SIMD" : "no SIMD"}, ${threads} thread(s), binaries from ${dir}`,
  };
}

/**
 * Selects and initialises the tfjs backend: `requested ?? env.DEPT_BACKEND ?? "wasm"` (an empty
 * DEPT_BACKEND counts as unset). See the fallback policy at the top of this file.
 */
export async function initBackend(requested?: string, opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = opts.env ?? process.env;
  const fromEnv = env.DEPT_BACKEND !== undefined && env.DEPT_BACKEND.trim() !== "" ? env.DEPT_BACKEND : undefined;
  const explicit = requested !== undefined || fromEnv !== undefined;
  const name = requested !== undefined
    ? parseBackendName(requested, "--backend")
    : fromEnv !== undefined ? parseBackendName(fromEnv, "DEPT_BACKEND") : DEFAULT_BACKEND;
  const tf = await loadTfjs();
  if (current !== null && current.backend === name && tf.getBackend() === name) return current;

  let info: BackendInfo;
  switch (name) {
    case "tensorflow":
      info = await initTensorflow(tf, env);
      break;
    case "webgpu":
      info = await initWebgpu(tf);
      break;
    case "wasm":
      try {
        info = await initWasm(tf, opts);
      } catch (error) {
        if (explicit) {
          throw new BackendError(`backend "wasm" (@tensorflow/tfjs-backend-wasm) failed to initialise: ${errorMessage(error)}`);
        }
        if (!(await activate(tf, "cpu"))) throw new BackendError(`backend "wasm" failed (${errorMessage(error)}) and the cpu fallback failed too`);
        info = { backend: "cpu", threads: 1, detail: `fell back to cpu: default backend wasm failed to initialise (${errorMessage(error)})` };
      }
      break;
    case "cpu":
      if (!(await activate(tf, "cpu"))) throw new BackendError(`backend "cpu" failed to initialise`);
      info = { backend: "cpu", threads: 1, detail: `@tensorflow/tfjs-backend-cpu ${tf.version.tfjs} (plain JavaScript, single thread)` };
      break;
  }
  current = info;
  return info;
}

/** The active backend for logs; before initBackend() it says so instead of initialising anything. */
export function backendInfo(): BackendInfo {
  // engine().backendName is a plain field (undefined until a backend is set); tf.getBackend() would
  // initialise one as a side effect.
  const active = tfjs === null ? null : ((tfjs.engine().backendName as string | null | undefined) ?? null);
  if (current !== null && active === current.backend) return current;
  if (current === null) {
    return { backend: active ?? "none", threads: null, detail: `initBackend() has not been called${active === null ? "" : ` (tfjs engine reports ${active})`}` };
  }
  return { backend: active ?? "none", threads: null, detail: `switched outside initBackend() (last initBackend(): ${current.backend})` };
}
