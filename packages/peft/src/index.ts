// @dept/peft public surface (re-exports only).
export * from "./errors.ts";
export { PEFT_TYPES, TASK_TYPES, PROMPT_TUNING_INITS, DEPT_INIT_TEXT, PEFT_FORMAT_VERSION } from "./config/common.ts";
export type { PeftType, TaskType, PromptTuningInit } from "./config/common.ts";
export { pythonJsonDumps, pythonFloatRepr, PyFloat } from "./config/python-json.ts";
export * from "./tuners/prompt_tuning_lora/index.ts";
export * from "./tuners/prompt_tuning/index.ts";
export * from "./tuners/lora/index.ts";
export { parsePeftConfig, serializePeftConfig, TUNERS } from "./tuners/registry.ts";
export type { PeftConfig } from "./tuners/registry.ts";
export { parseTorchBin, readTorchBin } from "./io/torch-bin.ts";
export type { RawTensor, RawDtype } from "./io/tensor.ts";
export { DEFAULT_PT_LENGTH, deptRankFor, deptTrainableParams, matchedPairs, formatThousands, formatTrainableParameters } from "./param-matching.ts";
export type { DeptBudget, MatchedPair } from "./param-matching.ts";
