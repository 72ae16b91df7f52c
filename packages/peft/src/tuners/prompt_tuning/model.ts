// Vanilla prompt tuning (peft PromptEmbedding + the PROMPT_TUNING branches of PeftModelForSeq2SeqLM /
// PeftModelForCausalLM) with an encoder-only prompt (num_transformer_submodules = 1, as DePT's train.py):
// X = [P; embed(ids)], mask = [1^m; mask]; Llama labels [-100^m; labels]. Any input length.
import * as tf from "@tensorflow/tfjs";
import { embed, type ForwardOptions, type LoadedModel } from "@dept/models";
import { SeededRandom } from "@dept/runtime";
import { checkBatch, countModelParams, type InitTokenizer, type PeftBatch, type PeftForwardOutput, type PeftGenerateOptions, type PeftModel } from "../../peft-model.ts";
import { forwardWithPrompt, generateWithPrompt, initPrompt, preparePromptConfig, prependPrompt } from "../prompt_common.ts";
import type { PromptTuningConfig } from "./config.ts";
import { assignFrom, refuseUnexpected, takeFloat, variableRecord } from "../../io/state.ts";
import type { RawTensor } from "../../io/tensor.ts";

export const PROMPT_KEY = "prompt_embeddings";

export class PromptTuningModel implements PeftModel {
  readonly trainable: Map<string, tf.Variable>;

  constructor(
    readonly model: LoadedModel,
    readonly config: PromptTuningConfig,
    readonly prompt: tf.Variable<tf.Rank.R2>,
  ) {
    this.trainable = new Map<string, tf.Variable>([[PROMPT_KEY, prompt]]);
  }

  forward(batch: PeftBatch, opts?: ForwardOptions): PeftForwardOutput {
    checkBatch(batch, "prompt tuning");
    return forwardWithPrompt(this.model, this.prompt, embed(this.model, batch.inputIds), batch, opts);
  }

  generate(batch: Pick<PeftBatch, "inputIds" | "attentionMask">, opts: PeftGenerateOptions): Promise<number[][]> {
    checkBatch(batch, "prompt tuning");
    return generateWithPrompt(this.model, () => prependPrompt(this.prompt, embed(this.model, batch.inputIds), batch.attentionMask), opts);
  }

  parameterCounts(): { trainable: number; all: number } {
    return { trainable: this.prompt.size, all: countModelParams(this.model) + this.prompt.size };
  }

  dispose(): void {
    this.prompt.dispose();
  }
}

export function createPromptTuningModel(
  model: LoadedModel,
  config: PromptTuningConfig,
  opts: { seed: number; tokenizer?: InitTokenizer; forLoad?: boolean },
  source = "PromptTuningConfig",
): PromptTuningModel {
  preparePromptConfig(config, model, source);
  const m = config.numVirtualTokens * config.numTransformerSubmodules;
  const rng = new SeededRandom(opts.seed);
  const prompt = tf.tidy(() => tf.variable(initPrompt(model, m, config.promptTuningInit, config.promptTuningInitText, rng, opts.tokenizer, opts.forLoad === true)));
  return new PromptTuningModel(model, config, prompt);
}

export function promptTuningStateDict(pm: PromptTuningModel): Map<string, RawTensor> {
  return new Map([[PROMPT_KEY, variableRecord(pm.prompt)]]);
}

export function loadPromptTuningState(pm: PromptTuningModel, tensors: ReadonlyMap<string, RawTensor>, file: string): void {
  const [m, d] = pm.prompt.shape;
  refuseUnexpected(tensors, new Set([PROMPT_KEY]), file);
  assignFrom(pm.prompt, takeFloat(tensors, PROMPT_KEY, [m, d], file, `num_virtual_tokens = ${pm.config.numVirtualTokens}, d_model = ${d}`), [m, d]);
}
