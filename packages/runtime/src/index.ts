// Public surface of @dept/runtime (re-exports only).
export { BackendError, SafetensorsError } from "./errors.ts";
export {
  MAX_HEADER_BYTES,
  SAFE_WEIGHTS_INDEX_NAME,
  SAFE_WEIGHTS_NAME,
  parseSafetensors,
  readSafetensors,
  readSafetensorsCheckpoint,
  writeSafetensors,
} from "./io/safetensors.ts";
export type { SafetensorsDtype, SafetensorsFile, SafetensorsTensor } from "./io/safetensors.ts";
export { torchRandperm } from "./rng/torch.ts";
export { numpyPermutation } from "./rng/numpy.ts";
export { SeededRandom } from "./rng/seeded-random.ts";
export { BACKEND_NAMES, DEFAULT_BACKEND, backendInfo, initBackend, parseBackendName } from "./backend.ts";
export type { BackendInfo, BackendName, InitBackendOptions } from "./backend.ts";
export * from "./hub/index.ts";
