// The public model surface: LoadedModel (a tagged union over the families), the frozen input embedding, the
// forward functions checked against the model kind, and disposal.
import type * as tf from "@tensorflow/tfjs";
import { CheckpointReader, type CheckpointTensor } from "./checkpoint.ts";
import type { LlamaConfig, T5Config } from "./config.ts";
import { gatherRows } from "./layers.ts";
import { disposeLinear, type ForwardOptions, type Linear } from "./linear.ts";
import { llamaForwardImpl, llamaParamsFromCheckpoint, type LlamaInputs, type LlamaOutput, type LlamaParams } from "./llama.ts";
import { t5ForwardImpl, t5ParamsFromCheckpoint, type T5Inputs, type T5Output, type T5Params } from "./t5.ts";

export type LoadedModel = { kind: "t5"; config: T5Config; params: T5Params } | { kind: "llama"; config: LlamaConfig; params: LlamaParams };

/** The frozen input embedding table [V, d] (T5 shared, Llama embed_tokens). */
export function embeddingTable(model: LoadedModel): tf.Tensor2D {
  return model.kind === "t5" ? model.params.shared : model.params.embedTokens;
}

/** Frozen input embedding lookup: ids [B, S] -> [B, S, d]. (T5 and Llama do not scale embeddings.) */
export function embed(model: LoadedModel, inputIds: tf.Tensor2D): tf.Tensor3D {
  return gatherRows(embeddingTable(model), inputIds);
}

export function t5Forward(model: LoadedModel, inputs: T5Inputs, opts?: ForwardOptions): T5Output {
  if (model.kind !== "t5") throw new Error(`t5Forward called with a ${model.kind} model`);
  return t5ForwardImpl(model, inputs, opts);
}

export function llamaForward(model: LoadedModel, inputs: LlamaInputs, opts?: ForwardOptions): LlamaOutput {
  if (model.kind !== "llama") throw new Error(`llamaForward called with a ${model.kind} model`);
  return llamaForwardImpl(model, inputs, opts);
}

/** Every Linear of the model (for peft: attach/merge LoRA), keyed by the HF module path. */
export function namedLinears(model: LoadedModel): Map<string, Linear> {
  const out = new Map<string, Linear>();
  if (model.kind === "t5") {
    const attn = (prefix: string, a: { q: Linear; k: Linear; v: Linear; o: Linear }) => {
      for (const n of ["q", "k", "v", "o"] as const) out.set(`${prefix}.${n}`, a[n]);
    };
    const ff = (prefix: string, f: { wi?: Linear; wi0?: Linear; wi1?: Linear; wo: Linear }) => {
      if (f.wi !== undefined) out.set(`${prefix}.DenseReluDense.wi`, f.wi);
      if (f.wi0 !== undefined) out.set(`${prefix}.DenseReluDense.wi_0`, f.wi0);
      if (f.wi1 !== undefined) out.set(`${prefix}.DenseReluDense.wi_1`, f.wi1);
      out.set(`${prefix}.DenseReluDense.wo`, f.wo);
    };
    model.params.encoder.blocks.forEach((b, i) => {
      attn(`encoder.block.${i}.layer.0.SelfAttention`, b.selfAttn);
      ff(`encoder.block.${i}.layer.1`, b.ff);
    });
    model.params.decoder.blocks.forEach((b, i) => {
      attn(`decoder.block.${i}.layer.0.SelfAttention`, b.selfAttn);
      attn(`decoder.block.${i}.layer.1.EncDecAttention`, b.crossAttn);
      ff(`decoder.block.${i}.layer.2`, b.ff);
    });
    if (!model.config.tieWordEmbeddings) out.set("lm_head", model.params.lmHead);
  } else {
    model.params.layers.forEach((l, i) => {
      const pre = `model.layers.${i}`;
      out.set(`${pre}.self_attn.q_proj`, l.q);
      out.set(`${pre}.self_attn.k_proj`, l.k);
      out.set(`${pre}.self_attn.v_proj`, l.v);
      out.set(`${pre}.self_attn.o_proj`, l.o);
      out.set(`${pre}.mlp.gate_proj`, l.gate);
      out.set(`${pre}.mlp.up_proj`, l.up);
      out.set(`${pre}.mlp.down_proj`, l.down);
    });
    if (!model.config.tieWordEmbeddings) out.set("lm_head", model.params.lmHead);
  }
  return out;
}

/** Frees every weight tensor of the model (LoRA variables belong to whoever attached them). */
export function disposeModel(model: LoadedModel): void {
  for (const lin of namedLinears(model).values()) disposeLinear(lin);
  if (model.kind === "t5") {
    const p = model.params;
    if (model.config.tieWordEmbeddings) p.lmHead.w.dispose(); // wT is shared itself
    p.shared.dispose();
    for (const stack of [p.encoder, p.decoder]) {
      stack.relativeAttentionBias.dispose();
      stack.finalNorm.dispose();
      for (const b of stack.blocks) {
        b.selfAttnNorm.dispose();
        b.ffNorm.dispose();
        if ("crossAttnNorm" in b) (b as { crossAttnNorm: tf.Tensor }).crossAttnNorm.dispose();
      }
    }
  } else {
    const p = model.params;
    if (model.config.tieWordEmbeddings) p.lmHead.w.dispose();
    p.embedTokens.dispose();
    p.norm.dispose();
    for (const l of p.layers) {
      l.inputNorm.dispose();
      l.postAttentionNorm.dispose();
    }
  }
}

/** Builds a model from a parsed config and a checkpoint tensor map (HF key names); ModelLoadError on mismatch. */
export function modelFromCheckpoint(config: T5Config | LlamaConfig, tensors: ReadonlyMap<string, CheckpointTensor>, file: string): LoadedModel {
  const reader = new CheckpointReader(tensors, file);
  if (config.modelType === "t5") return { kind: "t5", config, params: t5ParamsFromCheckpoint(reader, config) };
  return { kind: "llama", config, params: llamaParamsFromCheckpoint(reader, config) };
}
