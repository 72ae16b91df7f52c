// Checks shared by the two prompt methods (PROMPT_TUNING, PROMPT_TUNING_LORA).
import { describeValue, PeftConfigError } from "../errors.ts";
import type { PromptLearningFields, PromptTuningInit, TaskType } from "./common.ts";

/**
 * num_transformer_submodules must be 1 (prompt on the encoder / the decoder-only stack only). A file with null
 * means "let peft decide", and upstream peft picks 2 for SEQ_2_SEQ_LM (a decoder prompt too), which this port
 * does not implement; for CAUSAL_LM null means 1.
 */
export function resolveSubmodules(config: PromptLearningFields & { taskType: TaskType }, source: string): void {
  const n = config.numTransformerSubmodules as number | null;
  if (n === null && config.taskType === "CAUSAL_LM") {
    config.numTransformerSubmodules = 1;
    return;
  }
  if (n !== 1) {
    throw new PeftConfigError(
      source,
      "num_transformer_submodules",
      `got ${describeValue(n)}; expected 1 (encoder-only prompt as in DePT's train.py${n === null ? "; null would make upstream peft use 2 for SEQ_2_SEQ_LM" : ""})`,
    );
  }
}

export function checkInitText(config: { promptTuningInit: PromptTuningInit; promptTuningInitText: string | null }, source: string): void {
  if (config.promptTuningInit === "TEXT" && (config.promptTuningInitText === null || config.promptTuningInitText.length === 0)) {
    throw new PeftConfigError(source, "prompt_tuning_init_text", `got ${describeValue(config.promptTuningInitText)}; expected a non-empty string when prompt_tuning_init is "TEXT"`);
  }
}
