// peft_type -> method. One line per method (like peft's PEFT_TYPE_TO_CONFIG_MAPPING / PEFT_TYPE_TO_TUNER_MAPPING).
import { describeValue, PeftConfigError } from "../errors.ts";
import { PEFT_TYPES, type PeftType } from "../config/common.ts";
import { parseLoraConfig, serializeLoraConfig, type LoraConfig } from "./lora/index.ts";
import { parsePromptTuningConfig, serializePromptTuningConfig, type PromptTuningConfig } from "./prompt_tuning/index.ts";
import { parsePromptTuningLoRAConfig, serializePromptTuningLoRAConfig, type PromptTuningLoRAConfig } from "./prompt_tuning_lora/index.ts";

export type PeftConfig = PromptTuningLoRAConfig | PromptTuningConfig | LoraConfig;

export interface TunerEntry<C extends PeftConfig = PeftConfig> {
  parseConfig(raw: unknown, source: string): C;
  serializeConfig(config: C): string;
}

export const TUNERS: { readonly [K in PeftType]: TunerEntry<Extract<PeftConfig, { peftType: K }>> } = {
  PROMPT_TUNING_LORA: { parseConfig: parsePromptTuningLoRAConfig, serializeConfig: serializePromptTuningLoRAConfig },
  PROMPT_TUNING: { parseConfig: parsePromptTuningConfig, serializeConfig: serializePromptTuningConfig },
  LORA: { parseConfig: parseLoraConfig, serializeConfig: serializeLoraConfig },
};

export function tunerFor(peftType: unknown, source: string): TunerEntry {
  if (typeof peftType !== "string" || !(PEFT_TYPES as readonly string[]).includes(peftType)) {
    throw new PeftConfigError(source, "peft_type", `got ${describeValue(peftType)}; expected one of ${PEFT_TYPES.map((t) => JSON.stringify(t)).join(", ")}`);
  }
  return TUNERS[peftType as PeftType];
}

/** Parses an adapter_config.json object of any supported peft_type. */
export function parsePeftConfig(raw: unknown, source: string): PeftConfig {
  const peftType = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>).peft_type : undefined;
  return tunerFor(peftType, source).parseConfig(raw, source);
}

/** adapter_config.json text for a config, in the exact form the Python side writes. */
export function serializePeftConfig(config: PeftConfig): string {
  return tunerFor(config.peftType, config.peftType).serializeConfig(config);
}
