// Shared by PROMPT_TUNING and PROMPT_TUNING_LORA: soft-prompt initialisation (peft PromptEmbedding.__init__ /
// the DePT fork's PromptEmbeddingLoRA.__init__) and the "prepend the prompt" forward of PeftModelForSeq2SeqLM /
// PeftModelForCausalLM (DePT fork peft/peft_model.py, seq2seq forward ~L1074-1099, causal ~L827-841;
// generation ~L1179-1206 / ~L932-944).
import * as tf from "@tensorflow/tfjs";
import { embeddingTable, generate, llamaForward, t5Forward, IGNORE_INDEX, type ForwardOptions, type LoadedModel } from "@dept/models";
import type { SeededRandom } from "@dept/runtime";
import type { PromptLearningFields, PromptTuningInit, TaskType } from "../config/common.ts";
import { describeValue, PeftConfigError, PeftUsageError } from "../errors.ts";
import {
  expectedTaskType,
  modelDim,
  modelNumHeads,
  modelNumLayers,
  type InitTokenizer,
  type PeftBatch,
  type PeftForwardOutput,
  type PeftGenerateOptions,
} from "../peft-model.ts";

/**
 * TEXT init ids: the init text's ids (EOS appended by the tokenizer) truncated to m, or repeated ceil(m/n)
 * times and cut to m.
 */
export function tileInitTokenIds(ids: readonly number[], m: number): number[] {
  if (ids.length === 0) throw new PeftUsageError("prompt init text tokenized to no ids");
  const reps = Math.ceil(m / ids.length);
  const out: number[] = [];
  for (let k = 0; k < reps; k++) out.push(...ids);
  return out.slice(0, m);
}

/**
 * Fills token_dim / num_layers / num_attention_heads from the model (peft `_prepare_prompt_learning_config`) and
 * checks a given token_dim and the task type against the model.
 */
export function preparePromptConfig(
  config: PromptLearningFields & { taskType: TaskType },
  model: LoadedModel,
  source: string,
): void {
  const d = modelDim(model);
  if (config.tokenDim !== null && config.tokenDim !== d) {
    throw new PeftConfigError(source, "token_dim", `got ${config.tokenDim}; the ${model.kind} model has d_model = ${d}`);
  }
  if (config.taskType !== expectedTaskType(model)) {
    throw new PeftConfigError(source, "task_type", `got ${describeValue(config.taskType)}; a ${model.kind} model needs "${expectedTaskType(model)}"`);
  }
  config.tokenDim = d;
  config.numLayers ??= modelNumLayers(model);
  config.numAttentionHeads ??= modelNumHeads(model);
}

/** P [m, d]: TEXT = frozen vocabulary rows of the tiled init-text ids; RANDOM = N(0, 1) (torch.nn.Embedding default). */
export function initPrompt(
  model: LoadedModel,
  m: number,
  init: PromptTuningInit,
  initText: string | null,
  rng: SeededRandom,
  tokenizer: InitTokenizer | undefined,
  forLoad = false,
): tf.Tensor2D {
  const d = modelDim(model);
  // Loading overwrites P right away: no tokenizer needed, no random draw spent.
  if (forLoad) return tf.zeros([m, d]);
  if (init === "RANDOM") return tf.tensor2d(rng.normalArray(m * d, 0, 1), [m, d]);
  if (tokenizer === undefined) {
    throw new PeftUsageError('prompt_tuning_init "TEXT" needs a tokenizer: getPeftModel(model, config, { seed, tokenizer })');
  }
  const ids = tileInitTokenIds(tokenizer.encode(initText ?? "", { addSpecialTokens: true }), m);
  const vocab = embeddingTable(model).shape[0];
  const bad = ids.find((id) => id < 0 || id >= vocab);
  if (bad !== undefined) throw new PeftUsageError(`prompt init id ${bad} is outside the model vocabulary (${vocab})`);
  if (m === 0) return tf.zeros([0, d]);
  return tf.tidy(() => tf.gather<tf.Tensor2D>(embeddingTable(model), tf.tensor1d(ids, "int32")));
}

/**
 * Runs the frozen model on [P; E] with mask [1^m; mask]. `embeds` is E [B, L, d] (already offset by DePT's A@B);
 * P [m, d] is prepended (before the left pads on Llama), Llama labels get m leading -100s.
 */
export function forwardWithPrompt(
  model: LoadedModel,
  prompt: tf.Tensor2D,
  embeds: tf.Tensor3D,
  batch: PeftBatch,
  opts: ForwardOptions | undefined,
): PeftForwardOutput {
  const [inputsEmbeds, attentionMask] = prependPrompt(prompt, embeds, batch.attentionMask);
  if (model.kind === "t5") {
    const out = t5Forward(model, { inputsEmbeds, attentionMask, labels: batch.labels, decoderInputIds: batch.decoderInputIds }, opts);
    return { logits: out.logits, loss: out.loss, encoderLastHiddenState: out.encoderLastHiddenState };
  }
  if (batch.decoderInputIds !== undefined) throw new PeftUsageError("decoderInputIds are only meaningful for T5 (SEQ_2_SEQ_LM)");
  const m = prompt.shape[0];
  const labels = batch.labels === undefined ? undefined : tf.concat<tf.Tensor2D>([tf.fill([batch.labels.shape[0], m], IGNORE_INDEX, "int32"), batch.labels], 1);
  return llamaForward(model, { inputsEmbeds, attentionMask, labels }, opts);
}

export function prependPrompt(prompt: tf.Tensor2D, embeds: tf.Tensor3D, mask: tf.Tensor2D): [tf.Tensor3D, tf.Tensor2D] {
  const [b] = embeds.shape;
  const m = prompt.shape[0];
  const p = tf.tile<tf.Tensor3D>(tf.expandDims(prompt, 0), [b, 1, 1]);
  const x = tf.concat([p, embeds], 1);
  const ext = tf.concat<tf.Tensor2D>([tf.ones([b, m], "int32"), tf.cast(mask, "int32")], 1);
  return [x, ext];
}

/** Greedy generation from [P; E] (T5: encoder input; Llama: the first step is built from the embeddings). */
export async function generateWithPrompt(
  model: LoadedModel,
  buildEmbeds: () => [tf.Tensor3D, tf.Tensor2D],
  opts: PeftGenerateOptions,
): Promise<number[][]> {
  const [inputsEmbeds, attentionMask] = tf.tidy(buildEmbeds);
  try {
    return await generate(model, { inputsEmbeds, attentionMask }, opts);
  } finally {
    inputsEmbeds.dispose();
    attentionMask.dispose();
  }
}

