// Fields shared by every peft config class (peft/utils/config.py: PeftConfig, PromptLearningConfig) and the
// enum string values exactly as Python writes them.
import type { FieldSpec } from "./schema.ts";

export const PEFT_TYPES = ["PROMPT_TUNING_LORA", "PROMPT_TUNING", "LORA"] as const;
export type PeftType = (typeof PEFT_TYPES)[number];

/** Task types this port implements (peft's TaskType also has SEQ_CLS, TOKEN_CLS, ...; the DePT fork's SEQ_CLS
 *  path ignores A/B, spec §1 GOTCHA, so it is not offered). */
export const TASK_TYPES = ["SEQ_2_SEQ_LM", "CAUSAL_LM"] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const PROMPT_TUNING_INITS = ["TEXT", "RANDOM"] as const;
export type PromptTuningInit = (typeof PROMPT_TUNING_INITS)[number];

/** The peft release whose on-disk format the upstream configs (PROMPT_TUNING, LORA) follow (golden b_/d_ cases). */
export const PEFT_FORMAT_VERSION = "0.21.0";

/** The init text of DePT's train.py (`--prompt_tuning_init_text` default); the "postive" typo is in the original. */
export const DEPT_INIT_TEXT = "Classify this text is postive or not:";

export interface PeftConfigBase {
  baseModelNameOrPath: string | null;
  revision: string | null;
  taskType: TaskType;
  inferenceMode: boolean;
}

export interface PromptLearningFields {
  numVirtualTokens: number;
  /** d_model; null until getPeftModel fills it from the model (peft `_prepare_prompt_learning_config`). */
  tokenDim: number | null;
  /** Always 1 here: an encoder-only prompt (DePT train.py); upstream peft would use 2 for SEQ_2_SEQ_LM. */
  numTransformerSubmodules: number;
  numAttentionHeads: number | null;
  numLayers: number | null;
}

export const BASE_FIELDS: readonly FieldSpec[] = [
  { key: "baseModelNameOrPath", disk: "base_model_name_or_path", type: { kind: "string", nullable: true }, default: null },
  { key: "revision", disk: "revision", type: { kind: "string", nullable: true }, default: null },
  { key: "taskType", disk: "task_type", type: { kind: "enum", values: TASK_TYPES }, default: undefined },
  { key: "inferenceMode", disk: "inference_mode", type: { kind: "bool" }, default: false },
];

export const PROMPT_LEARNING_FIELDS: readonly FieldSpec[] = [
  { key: "numVirtualTokens", disk: "num_virtual_tokens", type: { kind: "int", min: 0 }, default: undefined },
  { key: "tokenDim", disk: "token_dim", type: { kind: "int", min: 1, nullable: true }, default: null },
  { key: "numTransformerSubmodules", disk: "num_transformer_submodules", type: { kind: "int", min: 1, nullable: true }, default: null },
  { key: "numAttentionHeads", disk: "num_attention_heads", type: { kind: "int", min: 1, nullable: true }, default: null },
  { key: "numLayers", disk: "num_layers", type: { kind: "int", min: 1, nullable: true }, default: null },
];
