// Model configs parsed from a Hugging Face config.json (transformers 4.x layout) into camelCase.
// Follows transformers' T5Config (models/t5/configuration_t5.py) and LlamaConfig
// (models/llama/configuration_llama.py) defaults: a key that save_pretrained omitted because it equals the
// default must get that default here (e.g. T5's tie_word_embeddings = true).
import { ModelLoadError } from "./errors.ts";

export type Activation = "relu" | "gelu" | "gelu_new" | "silu";

export interface T5Config {
  modelType: "t5";
  vocabSize: number;
  dModel: number;
  dKv: number;
  dFf: number;
  numLayers: number;
  numDecoderLayers: number;
  numHeads: number;
  relativeAttentionNumBuckets: number;
  relativeAttentionMaxDistance: number;
  dropoutRate: number;
  layerNormEpsilon: number;
  /** feed_forward_proj "gated-gelu" (v1.1 / flan) -> gated, act gelu_new; "relu" (v1) -> not gated. */
  isGatedAct: boolean;
  denseActFn: Activation;
  tieWordEmbeddings: boolean;
  padTokenId: number;
  eosTokenId: number;
  decoderStartTokenId: number;
}

export interface LlamaConfig {
  modelType: "llama";
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  attentionBias: boolean;
  mlpBias: boolean;
  hiddenAct: Activation;
  bosTokenId: number | null;
  eosTokenId: number;
  /** Llama checkpoints often have no pad token; generation then pads finished rows with EOS (as HF does). */
  padTokenId: number | null;
}

export type ModelConfig = T5Config | LlamaConfig;

type Json = Record<string, unknown>;

function field<T>(json: Json, key: string, file: string, check: (v: unknown) => v is T, expected: string, fallback?: T): T {
  const v = json[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new ModelLoadError(file, `missing "${key}" (expected ${expected})`);
  }
  if (!check(v)) throw new ModelLoadError(file, `"${key}" must be ${expected}, got ${JSON.stringify(v)}`);
  return v;
}
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === "boolean";
const isStr = (v: unknown): v is string => typeof v === "string";

/** eos_token_id may be a list in newer configs; the first id is the one generation stops on here. */
function tokenId(json: Json, key: string, file: string, fallback: number | null): number | null {
  const v = json[key];
  if (v === undefined || v === null) return fallback;
  if (isInt(v)) return v;
  if (Array.isArray(v) && v.length > 0 && isInt(v[0])) return v[0];
  throw new ModelLoadError(file, `"${key}" must be a token id, got ${JSON.stringify(v)}`);
}

const ACTIVATIONS: readonly Activation[] = ["relu", "gelu", "gelu_new", "silu"];
function activation(name: string, file: string, key: string): Activation {
  // transformers' ACT2FN aliases that mean the same function.
  const alias: Record<string, Activation> = { swish: "silu", gelu_pytorch_tanh: "gelu_new" };
  const act = alias[name] ?? name;
  if (!(ACTIVATIONS as readonly string[]).includes(act)) {
    throw new ModelLoadError(file, `"${key}" activation '${name}' is not supported (expected one of ${ACTIVATIONS.join(", ")})`);
  }
  return act as Activation;
}

/** T5Config.__init__: feed_forward_proj "[gated-]act"; "gated-gelu" means gelu_new for backwards compatibility. */
export function parseT5Config(json: Json, file: string): T5Config {
  const ffProj = field(json, "feed_forward_proj", file, isStr, "a string like \"relu\" or \"gated-gelu\"", "relu");
  const parts = ffProj.split("-");
  const isGated = parts[0] === "gated";
  if ((isGated && parts.length !== 2) || (!isGated && parts.length !== 1)) {
    throw new ModelLoadError(file, `"feed_forward_proj" '${ffProj}' is not of the form "[gated-]{ACT_FN}"`);
  }
  const denseActFn = ffProj === "gated-gelu" ? "gelu_new" : activation(parts[parts.length - 1]!, file, "feed_forward_proj");
  const numLayers = field(json, "num_layers", file, isInt, "a non-negative integer", 6);
  const eos = tokenId(json, "eos_token_id", file, 1)!;
  const pad = tokenId(json, "pad_token_id", file, 0)!;
  return {
    modelType: "t5",
    vocabSize: field(json, "vocab_size", file, isInt, "a positive integer", 32128),
    dModel: field(json, "d_model", file, isInt, "a positive integer", 512),
    dKv: field(json, "d_kv", file, isInt, "a positive integer", 64),
    dFf: field(json, "d_ff", file, isInt, "a positive integer", 2048),
    numLayers,
    numDecoderLayers: field(json, "num_decoder_layers", file, isInt, "a non-negative integer", numLayers),
    numHeads: field(json, "num_heads", file, isInt, "a positive integer", 8),
    relativeAttentionNumBuckets: field(json, "relative_attention_num_buckets", file, isInt, "a positive integer", 32),
    relativeAttentionMaxDistance: field(json, "relative_attention_max_distance", file, isInt, "a positive integer", 128),
    dropoutRate: field(json, "dropout_rate", file, isNum, "a number", 0.1),
    layerNormEpsilon: field(json, "layer_norm_epsilon", file, isNum, "a number", 1e-6),
    isGatedAct: isGated,
    denseActFn,
    // transformers 4.x omits keys equal to the default; T5Config's default is True.
    tieWordEmbeddings: field(json, "tie_word_embeddings", file, isBool, "true or false", true),
    padTokenId: pad,
    eosTokenId: eos,
    decoderStartTokenId: tokenId(json, "decoder_start_token_id", file, pad)!,
  };
}

export function parseLlamaConfig(json: Json, file: string): LlamaConfig {
  const hiddenSize = field(json, "hidden_size", file, isInt, "a positive integer", 4096);
  const numAttentionHeads = field(json, "num_attention_heads", file, isInt, "a positive integer", 32);
  const numKeyValueHeads = field(json, "num_key_value_heads", file, isInt, "a positive integer", numAttentionHeads);
  if (numAttentionHeads % numKeyValueHeads !== 0) {
    throw new ModelLoadError(file, `num_attention_heads (${numAttentionHeads}) must be a multiple of num_key_value_heads (${numKeyValueHeads})`);
  }
  const ropeScaling = json.rope_scaling;
  if (ropeScaling !== undefined && ropeScaling !== null) {
    const t = (ropeScaling as Json).rope_type ?? (ropeScaling as Json).type;
    if (t !== "default") throw new ModelLoadError(file, `rope_scaling ${JSON.stringify(ropeScaling)} is not supported (only plain RoPE)`);
  }
  return {
    modelType: "llama",
    vocabSize: field(json, "vocab_size", file, isInt, "a positive integer", 32000),
    hiddenSize,
    intermediateSize: field(json, "intermediate_size", file, isInt, "a positive integer", 11008),
    numHiddenLayers: field(json, "num_hidden_layers", file, isInt, "a non-negative integer", 32),
    numAttentionHeads,
    numKeyValueHeads,
    headDim: field(json, "head_dim", file, isInt, "a positive integer", Math.floor(hiddenSize / numAttentionHeads)),
    rmsNormEps: field(json, "rms_norm_eps", file, isNum, "a number", 1e-6),
    ropeTheta: field(json, "rope_theta", file, isNum, "a number", 10000),
    maxPositionEmbeddings: field(json, "max_position_embeddings", file, isInt, "a positive integer", 2048),
    tieWordEmbeddings: field(json, "tie_word_embeddings", file, isBool, "true or false", false),
    attentionBias: field(json, "attention_bias", file, isBool, "true or false", false),
    mlpBias: field(json, "mlp_bias", file, isBool, "true or false", false),
    hiddenAct: activation(field(json, "hidden_act", file, isStr, "an activation name", "silu"), file, "hidden_act"),
    bosTokenId: tokenId(json, "bos_token_id", file, 1),
    eosTokenId: tokenId(json, "eos_token_id", file, 2)!,
    padTokenId: tokenId(json, "pad_token_id", file, null),
  };
}

/** Dispatches on model_type; anything else is a ModelLoadError naming the file. */
export function parseModelConfig(json: unknown, file: string): ModelConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ModelLoadError(file, "expected a JSON object");
  }
  const j = json as Json;
  const modelType = j.model_type;
  if (modelType === "t5") return parseT5Config(j, file);
  if (modelType === "llama") return parseLlamaConfig(j, file);
  throw new ModelLoadError(file, `unknown model_type ${JSON.stringify(modelType)} (supported: "t5", "llama")`);
}
