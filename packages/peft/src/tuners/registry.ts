// peft_type -> method, one line per method (like peft's PEFT_TYPE_TO_CONFIG_MAPPING / PEFT_TYPE_TO_TUNER_MAPPING).
import type { LoadedModel } from "@dept/models";
import { PEFT_TYPES, type PeftType } from "../config/common.ts";
import { describeValue, PeftConfigError } from "../errors.ts";
import type { RawTensor } from "../io/tensor.ts";
import type { InitTokenizer, PeftModel } from "../peft-model.ts";
import { createLoraModel, loadLoraState, loraStateDict, parseLoraConfig, serializeLoraConfig, type LoraConfig, type LoraModel } from "./lora/index.ts";
import {
  createPromptTuningModel,
  loadPromptTuningState,
  parsePromptTuningConfig,
  promptTuningStateDict,
  serializePromptTuningConfig,
  type PromptTuningConfig,
  type PromptTuningModel,
} from "./prompt_tuning/index.ts";
import {
  createDeptModel,
  deptStateDict,
  loadDeptState,
  parsePromptTuningLoRAConfig,
  serializePromptTuningLoRAConfig,
  type DeptModel,
  type PromptTuningLoRAConfig,
} from "./prompt_tuning_lora/index.ts";

export type PeftConfig = PromptTuningLoRAConfig | PromptTuningConfig | LoraConfig;

export interface CreateOptions {
  seed: number;
  tokenizer?: InitTokenizer;
  /** Internal: the parameters are overwritten from a file right after creation. */
  forLoad?: boolean;
}

export interface LoadStateOptions {
  allowPromptOnly?: boolean;
}

export interface TunerEntry<C extends PeftConfig = PeftConfig, M extends PeftModel = PeftModel> {
  parseConfig(raw: unknown, source: string): C;
  serializeConfig(config: C): string;
  create(model: LoadedModel, config: C, opts: CreateOptions, source?: string): M;
  stateDict(pm: M): Map<string, RawTensor>;
  loadState(pm: M, tensors: ReadonlyMap<string, RawTensor>, file: string, opts: LoadStateOptions): void;
}

export const TUNERS: {
  readonly PROMPT_TUNING_LORA: TunerEntry<PromptTuningLoRAConfig, DeptModel>;
  readonly PROMPT_TUNING: TunerEntry<PromptTuningConfig, PromptTuningModel>;
  readonly LORA: TunerEntry<LoraConfig, LoraModel>;
} = {
  PROMPT_TUNING_LORA: { parseConfig: parsePromptTuningLoRAConfig, serializeConfig: serializePromptTuningLoRAConfig, create: createDeptModel, stateDict: deptStateDict, loadState: loadDeptState },
  PROMPT_TUNING: { parseConfig: parsePromptTuningConfig, serializeConfig: serializePromptTuningConfig, create: createPromptTuningModel, stateDict: promptTuningStateDict, loadState: loadPromptTuningState },
  LORA: { parseConfig: parseLoraConfig, serializeConfig: serializeLoraConfig, create: createLoraModel, stateDict: loraStateDict, loadState: loadLoraState },
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
