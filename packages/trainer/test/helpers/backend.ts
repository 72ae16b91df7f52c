// Test backend: WASM via @dept/runtime's initBackend() once that lands on main; until then tfjs' cpu backend.
import * as tf from "@tensorflow/tfjs";

export async function useTestBackend(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}
