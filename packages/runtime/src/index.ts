// Public surface of @dept/runtime (re-exports only; see README.md).

// Typed errors (exitCode 2)
export { BackendError, SafetensorsError } from "./errors.ts";

// TensorFlow.js backend choice
export { BACKEND_NAMES, DEFAULT_BACKEND, TFJS_NODE_PATH_ENV, backendInfo, initBackend, parseBackendName } from "./backend.ts";
export type { BackendInfo, BackendName, InitBackendOptions } from "./backend.ts";

// safetensors I/O
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

// Seeded randomness matching torch / numpy
export { numpyPermutation } from "./rng/numpy.ts";
export { SeededRandom } from "./rng/seeded-random.ts";
export { torchRandperm } from "./rng/torch.ts";

// Hugging Face hub cache and downloads
export * from "./hub/index.ts";
