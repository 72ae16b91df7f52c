// PromptTuningConfig as upstream peft 0.21 writes it (peft/tuners/prompt_tuning/config.py + PromptLearningConfig),
// byte-equal to the golden b_prompt_tuning/adapter/adapter_config.json: sorted keys, indent 2, trailing newline.
// num_transformer_submodules is always written as 1 so upstream peft also builds an encoder-only prompt.
import {
  BASE_FIELDS,
  PEFT_FORMAT_VERSION,
  PROMPT_LEARNING_FIELDS,
  PROMPT_TUNING_INITS,
  type PeftConfigBase,
  type PromptLearningFields,
  type PromptTuningInit,
} from "../../config/common.ts";
import { checkInitText, resolveSubmodules } from "../../config/prompt-learning.ts";
import { parseWithSchema, serializeWithSchema, validateWithSchema, withDefaults, type ConfigSchema } from "../../config/schema.ts";

export interface PromptTuningConfig extends PeftConfigBase, PromptLearningFields {
  peftType: "PROMPT_TUNING";
  /** TEXT or RANDOM (upstream's SAMPLE_VOCAB is not implemented and is refused). */
  promptTuningInit: PromptTuningInit;
  promptTuningInitText: string | null;
  tokenizerNameOrPath: string | null;
}

export const PROMPT_TUNING_SCHEMA: ConfigSchema = {
  className: "PromptTuningConfig",
  peftType: "PROMPT_TUNING",
  fields: [
    ...BASE_FIELDS,
    ...PROMPT_LEARNING_FIELDS,
    { key: "promptTuningInit", disk: "prompt_tuning_init", type: { kind: "enum", values: PROMPT_TUNING_INITS }, default: "RANDOM" },
    { key: "promptTuningInitText", disk: "prompt_tuning_init_text", type: { kind: "string", nullable: true }, default: null },
    { key: "tokenizerNameOrPath", disk: "tokenizer_name_or_path", type: { kind: "string", nullable: true }, default: null },
  ],
  fixed: [
    { disk: "auto_mapping", value: null, check: "any" },
    { disk: "modules_to_save", value: null, check: "equal" },
    { disk: "peft_version", value: PEFT_FORMAT_VERSION, check: "any" },
    { disk: "tokenizer_kwargs", value: null, check: "any" },
  ],
  trailingNewline: true,
};

export type PromptTuningOptions = Partial<Omit<PromptTuningConfig, "peftType">> & Pick<PromptTuningConfig, "taskType" | "numVirtualTokens">;

function check(config: PromptTuningConfig, source: string): PromptTuningConfig {
  resolveSubmodules(config, source);
  checkInitText(config, source);
  return config;
}

/** Builds a validated config; num_transformer_submodules defaults to 1. Default num_virtual_tokens in DePT's
 *  train.py is --prefix_length = 100 (spec §2); here it must be given. */
export function promptTuningConfig(options: PromptTuningOptions): PromptTuningConfig {
  const config = withDefaults(PROMPT_TUNING_SCHEMA, { numTransformerSubmodules: 1, ...options });
  validateWithSchema(PROMPT_TUNING_SCHEMA, config, PROMPT_TUNING_SCHEMA.className);
  return check(config as unknown as PromptTuningConfig, PROMPT_TUNING_SCHEMA.className);
}

export function parsePromptTuningConfig(raw: unknown, source: string): PromptTuningConfig {
  return check(parseWithSchema(PROMPT_TUNING_SCHEMA, raw, source) as unknown as PromptTuningConfig, source);
}

export function serializePromptTuningConfig(config: PromptTuningConfig): string {
  return serializeWithSchema(PROMPT_TUNING_SCHEMA, config as unknown as Record<string, unknown>);
}
