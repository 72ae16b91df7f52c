// Test backend: WASM (SIMD), falling back to cpu when it cannot initialise.
// TODO(runtime merge): replace by @dept/runtime initBackend().
import * as tf from "@tensorflow/tfjs";

let ready: Promise<string> | undefined;

export function useTestBackend(): Promise<string> {
  ready ??= (async () => {
    try {
      await import("@tensorflow/tfjs-backend-wasm");
      if (await tf.setBackend("wasm")) {
        await tf.ready();
        return "wasm";
      }
    } catch {
      // fall through to cpu
    }
    await tf.setBackend("cpu");
    await tf.ready();
    return "cpu";
  })();
  return ready;
}
