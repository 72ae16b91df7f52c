// LoraConfig as upstream peft 0.21 writes it (peft/tuners/lora/config.py), byte-equal to the golden
// d_lora/adapter/adapter_config.json. Implemented: r, lora_alpha, lora_dropout, target_modules, use_rslora,
// init_lora_weights (true/false). Every other LoraConfig field is written with peft's default and a file that
// sets it differently (DoRA, rank_pattern, layers_to_transform, ...) is refused by name.
import { BASE_FIELDS, PEFT_FORMAT_VERSION, type PeftConfigBase } from "../../config/common.ts";
import { parseWithSchema, serializeWithSchema, validateWithSchema, withDefaults, type ConfigSchema } from "../../config/schema.ts";

export interface LoraConfig extends PeftConfigBase {
  peftType: "LORA";
  r: number;
  loraAlpha: number;
  /** Dropout on the LoRA branch input (peft: lora_dropout), training only. */
  loraDropout: number;
  /** Module names (exact last path component, e.g. "q", "v_proj") or one regex string (full match on the
   *  module path), as peft; null = peft's default for the model type (t5: q,v; llama: q_proj,v_proj). */
  targetModules: string[] | string | null;
  bias: "none";
  /** scaling = lora_alpha / sqrt(r) instead of lora_alpha / r. */
  useRslora: boolean;
  /** true: A kaiming-uniform(a=sqrt 5), B = 0 (a no-op at init). false: both kaiming-uniform (torch Linear default). */
  initLoraWeights: boolean;
}

export const LORA_SCHEMA: ConfigSchema = {
  className: "LoraConfig",
  peftType: "LORA",
  fields: [
    ...BASE_FIELDS,
    { key: "r", disk: "r", type: { kind: "int", min: 1 }, default: 8 },
    { key: "loraAlpha", disk: "lora_alpha", type: { kind: "number", min: 0 }, default: 8 },
    { key: "loraDropout", disk: "lora_dropout", type: { kind: "number", min: 0, max: 1, pyFloat: true }, default: 0 },
    { key: "targetModules", disk: "target_modules", type: { kind: "stringOrList", nullable: true }, default: null },
    { key: "bias", disk: "bias", type: { kind: "enum", values: ["none"] }, default: "none" },
    { key: "useRslora", disk: "use_rslora", type: { kind: "bool" }, default: false },
    { key: "initLoraWeights", disk: "init_lora_weights", type: { kind: "bool" }, default: true },
  ],
  // peft 0.21 LoraConfig fields not implemented here, with their defaults (golden d_lora adapter_config.json).
  fixed: [
    { disk: "alora_invocation_tokens", value: null, check: "equal" },
    { disk: "alpha_pattern", value: {}, check: "equal" },
    { disk: "arrow_config", value: null, check: "equal" },
    { disk: "auto_mapping", value: null, check: "any" },
    { disk: "corda_config", value: null, check: "any" },
    { disk: "ensure_weight_tying", value: false, check: "any" },
    { disk: "eva_config", value: null, check: "any" },
    { disk: "exclude_modules", value: null, check: "equal" },
    { disk: "fan_in_fan_out", value: false, check: "equal" },
    { disk: "kasa_config", value: null, check: "equal" },
    { disk: "layer_replication", value: null, check: "equal" },
    { disk: "layers_pattern", value: null, check: "equal" },
    { disk: "layers_to_transform", value: null, check: "equal" },
    { disk: "loftq_config", value: {}, check: "any" },
    { disk: "lora_bias", value: false, check: "equal" },
    { disk: "lora_ga_config", value: null, check: "any" },
    { disk: "megatron_config", value: null, check: "equal" },
    { disk: "megatron_core", value: "megatron.core", check: "any" },
    { disk: "modules_to_save", value: null, check: "equal" },
    { disk: "monteclora_config", value: null, check: "equal" },
    { disk: "peft_version", value: PEFT_FORMAT_VERSION, check: "any" },
    { disk: "qalora_group_size", value: 16, check: "any" },
    { disk: "rank_pattern", value: {}, check: "equal" },
    { disk: "target_parameters", value: null, check: "equal" },
    { disk: "trainable_token_indices", value: null, check: "equal" },
    { disk: "use_bdlora", value: null, check: "equal" },
    { disk: "use_dora", value: false, check: "equal" },
    { disk: "use_qalora", value: false, check: "equal" },
    { disk: "velora_config", value: null, check: "equal" },
  ],
  trailingNewline: true,
};

export type LoraOptions = Partial<Omit<LoraConfig, "peftType">> & Pick<LoraConfig, "taskType">;

export function loraConfig(options: LoraOptions): LoraConfig {
  const config = withDefaults(LORA_SCHEMA, options);
  validateWithSchema(LORA_SCHEMA, config, LORA_SCHEMA.className);
  return config as unknown as LoraConfig;
}

export function parseLoraConfig(raw: unknown, source: string): LoraConfig {
  return parseWithSchema(LORA_SCHEMA, raw, source) as unknown as LoraConfig;
}

export function serializeLoraConfig(config: LoraConfig): string {
  return serializeWithSchema(LORA_SCHEMA, config as unknown as Record<string, unknown>);
}

/** peft LoraLayer.update_layer: lora_alpha / r, or lora_alpha / sqrt(r) with use_rslora. */
export function loraScaling(config: Pick<LoraConfig, "r" | "loraAlpha" | "useRslora">): number {
  return config.useRslora ? config.loraAlpha / Math.sqrt(config.r) : config.loraAlpha / config.r;
}

/** peft TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING for the two model families here. */
export const DEFAULT_LORA_TARGETS: Readonly<Record<"t5" | "llama", readonly string[]>> = {
  t5: ["q", "v"],
  llama: ["q_proj", "v_proj"],
};
