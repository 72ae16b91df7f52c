// The PeftModel contract shared by the three methods (interfaces.md, @dept/peft): a frozen LoadedModel plus the
// adapter's trainable tf.Variables, keyed by the names they are saved under.
import * as tf from "@tensorflow/tfjs";
import { embeddingTable, type ForwardOptions, type LoadedModel } from "@dept/models";
import { PeftUsageError } from "./errors.ts";
import type { PeftConfig } from "./tuners/registry.ts";

/** One batch. T5: encoder ids/mask, labels [B, T] (-100 ignored), optional decoderInputIds. Llama: ids/mask/labels [B, L]. */
export interface PeftBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  labels?: tf.Tensor2D;
  decoderInputIds?: tf.Tensor2D;
}

export interface PeftForwardOutput {
  /** T5: decoder logits [B, T, V]. Llama: [B, (m +) L, V] (prompt positions included, as HF). */
  logits: tf.Tensor3D;
  loss?: tf.Scalar;
  /** T5 only: encoder output [B, (m +) s, d]. */
  encoderLastHiddenState?: tf.Tensor3D;
}

export interface PeftGenerateOptions {
  maxNewTokens: number;
  onStepLogits?: (step: number, logits: tf.Tensor2D) => void;
}

/** Anything that turns the init text into ids the way HF `tokenizer(text)["input_ids"]` does (special tokens on). */
export interface InitTokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
}

export interface PeftModel {
  readonly model: LoadedModel;
  readonly config: PeftConfig;
  /** The adapter's variables under their saved names (LoRA: `lora_A` variables hold A^T [in, r]; saved as [r, in]). */
  readonly trainable: Map<string, tf.Variable>;
  /** Call inside tf.tidy / tf.grad: returns fresh tensors and keeps none. */
  forward(batch: PeftBatch, opts?: ForwardOptions): PeftForwardOutput;
  /** Greedy generation with the adapter applied (ids exclude the T5 start token / the Llama prompt). */
  generate(batch: Pick<PeftBatch, "inputIds" | "attentionMask">, opts: PeftGenerateOptions): Promise<number[][]>;
  /** Trainable and total parameter counts (peft get_nb_trainable_parameters). */
  parameterCounts(): { trainable: number; all: number };
  /** Frees the adapter variables and detaches the adapter from the model (LoRA branches removed, merges undone). */
  dispose(): void;
}

export function modelDim(model: LoadedModel): number {
  return model.kind === "t5" ? model.config.dModel : model.config.hiddenSize;
}

export function modelNumLayers(model: LoadedModel): number {
  return model.kind === "t5" ? model.config.numLayers : model.config.numHiddenLayers;
}

export function modelNumHeads(model: LoadedModel): number {
  return model.kind === "t5" ? model.config.numHeads : model.config.numAttentionHeads;
}

export function expectedTaskType(model: LoadedModel): "SEQ_2_SEQ_LM" | "CAUSAL_LM" {
  return model.kind === "t5" ? "SEQ_2_SEQ_LM" : "CAUSAL_LM";
}

/** Checks shapes/dtypes of a batch; returns [batch, length]. */
export function checkBatch(batch: Pick<PeftBatch, "inputIds" | "attentionMask">, what: string): [number, number] {
  const { inputIds, attentionMask } = batch;
  if (inputIds.rank !== 2 || inputIds.dtype !== "int32") {
    throw new PeftUsageError(`${what}: inputIds must be an int32 [batch, length] tensor, got ${inputIds.dtype} [${inputIds.shape.join(", ")}]`);
  }
  if (attentionMask.shape[0] !== inputIds.shape[0] || attentionMask.shape[1] !== inputIds.shape[1]) {
    throw new PeftUsageError(`${what}: attentionMask shape [${attentionMask.shape.join(", ")}] differs from inputIds [${inputIds.shape.join(", ")}]`);
  }
  return [inputIds.shape[0], inputIds.shape[1]];
}

/** Total element count of the frozen model (every distinct weight tensor, the tied lm_head counted once). */
export function countModelParams(model: LoadedModel): number {
  const seen = new Set<object>();
  let total = 0;
  const add = (t: tf.Tensor | undefined): void => {
    if (t === undefined || seen.has(t.dataId)) return;
    seen.add(t.dataId);
    total += t.size;
  };
  const walk = (v: unknown, depth: number): void => {
    if (depth > 8 || v === null || typeof v !== "object") return;
    if (v instanceof tf.Tensor) {
      add(v);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      // wT is the torch-layout copy of w (and the tied lm_head holds the embedding): count each weight once.
      if (k === "wT" || k === "lora") continue;
      walk(x, depth + 1);
    }
  };
  walk(model.params, 0);
  // A tied lm_head's `w` is shared^T, a second tensor of the same numbers: not a parameter of its own.
  if (model.config.tieWordEmbeddings) total -= embeddingTable(model).size;
  return total;
}
