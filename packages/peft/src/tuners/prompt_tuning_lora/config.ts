// PromptTuningLoRAConfig: the DePT fork's config (ZhengxiangShi/DePT peft/tuners/prompt_tuning_lora.py,
// PromptTuningLoRAConfig + PromptLearningConfig/PeftConfig in peft/utils/config.py). Written as the fork
// writes it: every dataclass field, sorted keys, indent 2, no trailing newline (byte-equal to the golden
// c_dept/adapter/adapter_config.json files).
import {
  BASE_FIELDS,
  PROMPT_LEARNING_FIELDS,
  PROMPT_TUNING_INITS,
  type PeftConfigBase,
  type PromptLearningFields,
  type PromptTuningInit,
} from "../../config/common.ts";
import { checkInitText, resolveSubmodules } from "../../config/prompt-learning.ts";
import { parseWithSchema, serializeWithSchema, validateWithSchema, withDefaults, type ConfigSchema } from "../../config/schema.ts";

export interface PromptTuningLoRAConfig extends PeftConfigBase, PromptLearningFields {
  peftType: "PROMPT_TUNING_LORA";
  promptTuningInit: PromptTuningInit;
  promptTuningInitText: string | null;
  tokenizerNameOrPath: string | null;
  /** Rank of A [s, r] and B [r, d]. */
  r: number;
  /** scaling = loraAlpha / sqrt(r) (DePT; not alpha / r). */
  loraAlpha: number;
  bias: "none";
  initLoraWeights: boolean;
  /** Dead field of the fork (default 768, never set by train.py); written for format fidelity, never read. */
  hiddenSize: number;
  /** s: the exact padded input length = rows of A. */
  maxLength: number;
  saveLoraEmbeddings: boolean;
  loadLoraEmbeddings: boolean;
  loadLoraEmbeddingB: boolean;
}

export const PROMPT_TUNING_LORA_SCHEMA: ConfigSchema = {
  className: "PromptTuningLoRAConfig",
  peftType: "PROMPT_TUNING_LORA",
  fields: [
    ...BASE_FIELDS,
    ...PROMPT_LEARNING_FIELDS,
    { key: "promptTuningInit", disk: "prompt_tuning_init", type: { kind: "enum", values: PROMPT_TUNING_INITS }, default: "RANDOM" },
    { key: "promptTuningInitText", disk: "prompt_tuning_init_text", type: { kind: "string", nullable: true }, default: null },
    { key: "tokenizerNameOrPath", disk: "tokenizer_name_or_path", type: { kind: "string", nullable: true }, default: null },
    { key: "r", disk: "r", type: { kind: "int", min: 0 }, default: 8 },
    { key: "loraAlpha", disk: "lora_alpha", type: { kind: "number", min: 0 }, default: 8 },
    // The fork documents 'all' / 'lora_only' but DePT's A/B have no bias anywhere.
    { key: "bias", disk: "bias", type: { kind: "enum", values: ["none"] }, default: "none" },
    { key: "initLoraWeights", disk: "init_lora_weights", type: { kind: "bool" }, default: true },
    { key: "hiddenSize", disk: "hidden_size", type: { kind: "int", min: 1 }, default: 768 },
    { key: "maxLength", disk: "max_length", type: { kind: "int", min: 1 }, default: 256 },
    { key: "saveLoraEmbeddings", disk: "save_lora_embeddings", type: { kind: "bool" }, default: true },
    { key: "loadLoraEmbeddings", disk: "load_lora_embeddings", type: { kind: "bool" }, default: true },
    { key: "loadLoraEmbeddingB", disk: "load_lora_embedding_B", type: { kind: "bool" }, default: true },
  ],
  fixed: [],
  trailingNewline: false,
};

export type PromptTuningLoRAOptions = Partial<Omit<PromptTuningLoRAConfig, "peftType">> &
  Pick<PromptTuningLoRAConfig, "taskType" | "numVirtualTokens">;

function check(config: PromptTuningLoRAConfig, source: string): PromptTuningLoRAConfig {
  resolveSubmodules(config, source);
  checkInitText(config, source);
  return config;
}

/** Builds a validated config; unspecified fields take the fork's defaults, except num_transformer_submodules = 1. */
export function promptTuningLoRAConfig(options: PromptTuningLoRAOptions): PromptTuningLoRAConfig {
  const config = withDefaults(PROMPT_TUNING_LORA_SCHEMA, { numTransformerSubmodules: 1, ...options });
  validateWithSchema(PROMPT_TUNING_LORA_SCHEMA, config, PROMPT_TUNING_LORA_SCHEMA.className);
  return check(config as unknown as PromptTuningLoRAConfig, PROMPT_TUNING_LORA_SCHEMA.className);
}

export function parsePromptTuningLoRAConfig(raw: unknown, source: string): PromptTuningLoRAConfig {
  return check(parseWithSchema(PROMPT_TUNING_LORA_SCHEMA, raw, source) as unknown as PromptTuningLoRAConfig, source);
}

export function serializePromptTuningLoRAConfig(config: PromptTuningLoRAConfig): string {
  return serializeWithSchema(PROMPT_TUNING_LORA_SCHEMA, config as unknown as Record<string, unknown>);
}

/** DePT's scaling: lora_alpha / sqrt(r); 0 when r = 0 (PromptEmbeddingLoRA.__init__). */
export function deptScaling(config: Pick<PromptTuningLoRAConfig, "r" | "loraAlpha">): number {
  return config.r === 0 ? 0 : config.loraAlpha / Math.sqrt(config.r);
}
