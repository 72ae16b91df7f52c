// Test backend: @dept/runtime's initBackend() (WASM with SIMD, falling back to cpu when it cannot initialise).
import { initBackend } from "@dept/runtime";

let ready: Promise<string> | undefined;

export function useTestBackend(): Promise<string> {
  ready ??= initBackend().then((info) => info.backend);
  return ready;
}
