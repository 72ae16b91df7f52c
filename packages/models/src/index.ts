// Public surface of @dept/models.
export { Tokenizer, TokenizerError, type TokenizerLoadOptions, type BatchEncodeOptions, type BatchEncoding, type DecodeOptions, type PaddingSide } from "./tokenizer.ts";
export { ModelLoadError } from "./errors.ts";
export { parseModelConfig, parseT5Config, parseLlamaConfig, type T5Config, type LlamaConfig, type ModelConfig, type Activation } from "./config.ts";
export { linear, frozenMatMul, DropoutSeeds, type Linear, type LoraBranch, type ForwardOptions } from "./linear.ts";
export { rmsNorm, crossEntropyLoss, MASK_VALUE, IGNORE_INDEX } from "./layers.ts";
export type { CheckpointTensor } from "./checkpoint.ts";
export { shiftRight, relativePositionBucket, type T5Params, type T5Inputs, type T5Output } from "./t5.ts";
export { positionsFromMask, type LlamaParams, type LlamaInputs, type LlamaOutput } from "./llama.ts";
export { embed, embeddingTable, t5Forward, llamaForward, namedLinears, disposeModel, modelFromCheckpoint, type LoadedModel } from "./model.ts";
export { loadModel, resolveModelDir, looksLikeHubId, type LoadModelOptions } from "./load.ts";
export { generate, type GenerateInputs, type GenerateOptions } from "./generate.ts";
