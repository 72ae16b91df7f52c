// Test backend: @dept/runtime's initBackend() (WASM with SIMD by default, DEPT_BACKEND to override; it falls
// back to cpu when WASM cannot initialise). Called once per test file.
import { initBackend } from "@dept/runtime";

let ready: Promise<string> | undefined;

export function useTestBackend(): Promise<string> {
  ready ??= initBackend().then((info) => info.backend);
  return ready;
}
