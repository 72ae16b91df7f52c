// Llama (decoder-only causal LM) as a params tree and pure forward functions. Port of transformers 4.57
// models/llama/modeling_llama.py: LlamaRMSNorm, LlamaRotaryEmbedding (default rope), apply_rotary_pos_emb,
// repeat_kv (GQA), LlamaAttention (eager), LlamaMLP (SwiGLU), LlamaForCausalLM (shifted-label loss).
import * as tf from "@tensorflow/tfjs";
import { attend, mergeHeads, repeatKv, splitHeads } from "./attention.ts";
import type { CheckpointReader } from "./checkpoint.ts";
import type { LlamaConfig } from "./config.ts";
import { activate, crossEntropyLoss, MASK_VALUE, rmsNorm } from "./layers.ts";
import { DropoutSeeds, linear, type ForwardOptions, type Linear } from "./linear.ts";
import { loraVariables, rematerialize } from "./remat.ts";
import { resolveEmbeds } from "./t5.ts";

// ---------------------------------------------------------------------------------------------- params tree

export interface LlamaLayer {
  inputNorm: tf.Tensor1D;
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
  postAttentionNorm: tf.Tensor1D;
  gate: Linear;
  up: Linear;
  down: Linear;
}

export interface LlamaParams {
  embedTokens: tf.Tensor2D; // [V, d]
  layers: LlamaLayer[];
  norm: tf.Tensor1D;
  /** lm_head.weight, or { w: embed^T, wT: embed } when tie_word_embeddings. */
  lmHead: Linear;
}

export interface LlamaModel {
  kind: "llama";
  config: LlamaConfig;
  params: LlamaParams;
}

// ---------------------------------------------------------------------------------------------- weight import

/** Old checkpoints stored the rotary inv_freq buffer; it is recomputed from rope_theta here (as HF does). */
const LLAMA_IGNORABLE: readonly RegExp[] = [/^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/];

/** Explicit HF key map: model.embed_tokens, model.layers.{i}.{self_attn.{q,k,v,o}_proj, mlp.{gate,up,down}_proj, *_layernorm}, model.norm, lm_head. */
export function llamaParamsFromCheckpoint(r: CheckpointReader, c: LlamaConfig): LlamaParams {
  const d = c.hiddenSize;
  const qDim = c.numAttentionHeads * c.headDim;
  const kvDim = c.numKeyValueHeads * c.headDim;
  const embedTokens = r.matrix("model.embed_tokens.weight", c.vocabSize, d);
  const layers = Array.from({ length: c.numHiddenLayers }, (_, i): LlamaLayer => {
    const pre = `model.layers.${i}`;
    return {
      inputNorm: r.vector(`${pre}.input_layernorm.weight`, d),
      q: r.linear(`${pre}.self_attn.q_proj.weight`, qDim, d),
      k: r.linear(`${pre}.self_attn.k_proj.weight`, kvDim, d),
      v: r.linear(`${pre}.self_attn.v_proj.weight`, kvDim, d),
      o: r.linear(`${pre}.self_attn.o_proj.weight`, d, qDim),
      postAttentionNorm: r.vector(`${pre}.post_attention_layernorm.weight`, d),
      gate: r.linear(`${pre}.mlp.gate_proj.weight`, c.intermediateSize, d),
      up: r.linear(`${pre}.mlp.up_proj.weight`, c.intermediateSize, d),
      down: r.linear(`${pre}.mlp.down_proj.weight`, d, c.intermediateSize),
    };
  });
  const norm = r.vector("model.norm.weight", d);
  let lmHead: Linear;
  if (c.tieWordEmbeddings) {
    r.ignore("lm_head.weight");
    lmHead = { w: r.track(tf.transpose(embedTokens)), wT: embedTokens }; // [d, V] / [V, d]
  } else {
    lmHead = r.linear("lm_head.weight", c.vocabSize, d);
  }
  r.finish(LLAMA_IGNORABLE);
  return { embedTokens, layers, norm, lmHead };
}

// ---------------------------------------------------------------------------------------------- rotary embedding

/**
 * cos/sin [B, 1, L, Dh] for integer positions [B][L]. inv_freq = 1 / theta^(2i/Dh) and the angle are rounded to
 * float32 as LlamaRotaryEmbedding computes them in float32; emb = cat(freqs, freqs).
 */
export function rotaryTables(positions: readonly (readonly number[])[], headDim: number, theta: number): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const f = Math.fround;
  const half = headDim / 2;
  const invFreq = Array.from({ length: half }, (_, i) => f(1 / f(Math.pow(theta, f((2 * i) / headDim)))));
  const b = positions.length;
  const l = positions[0]?.length ?? 0;
  const cos = new Float32Array(b * l * headDim);
  const sin = new Float32Array(b * l * headDim);
  for (let r = 0; r < b; r++) {
    for (let t = 0; t < l; t++) {
      const pos = positions[r]![t]!;
      for (let i = 0; i < half; i++) {
        const angle = f(invFreq[i]! * pos);
        const base = (r * l + t) * headDim;
        cos[base + i] = cos[base + i + half] = Math.cos(angle);
        sin[base + i] = sin[base + i + half] = Math.sin(angle);
      }
    }
  }
  return { cos: tf.tensor4d(cos, [b, 1, l, headDim]), sin: tf.tensor4d(sin, [b, 1, l, headDim]) };
}

/** x * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1). x [B, H, L, Dh]. */
function applyRotary(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const [b, h, l, dh] = x.shape;
  const x1 = tf.slice(x, [0, 0, 0, 0], [b, h, l, dh / 2]); // [B, H, L, Dh/2]
  const x2 = tf.slice(x, [0, 0, 0, dh / 2], [b, h, l, dh / 2]); // [B, H, L, Dh/2]
  const rotated = tf.concat([tf.neg(x2), x1], 3); // [B, H, L, Dh]
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
}

// ---------------------------------------------------------------------------------------------- masks and positions

/**
 * Additive bias [B, 1, L, past+L] for queries at positions past..past+L-1: MASK_VALUE where the key is in the
 * future or a pad (attention mask 0 over all past+L keys). Built once per call, so a fully masked (pad) query row
 * is MASK_VALUE everywhere: a uniform softmax, never NaN.
 */
export function causalPaddingBias(attentionMask: readonly (readonly number[])[], queryLength: number): tf.Tensor4D {
  const b = attentionMask.length;
  const total = attentionMask[0]?.length ?? 0;
  const past = total - queryLength;
  const data = new Float32Array(b * queryLength * total);
  for (let r = 0; r < b; r++) {
    const row = attentionMask[r]!;
    for (let i = 0; i < queryLength; i++) {
      for (let j = 0; j < total; j++) {
        if (j > past + i || row[j] === 0) data[(r * queryLength + i) * total + j] = MASK_VALUE;
      }
    }
  }
  return tf.tensor4d(data, [b, 1, queryLength, total]);
}

/** The positions HF generate derives from the mask: cumsum(mask) - 1, with pads set to 1. */
export function positionsFromMask(attentionMask: readonly (readonly number[])[]): number[][] {
  return attentionMask.map((row) => {
    let seen = 0;
    return row.map((m) => {
      if (m === 0) return 1;
      seen += 1;
      return seen - 1;
    });
  });
}

function toRows(t: tf.Tensor2D): number[][] {
  return t.arraySync().map((row) => row.map((v) => Math.round(v)));
}

// ---------------------------------------------------------------------------------------------- layers

export interface LlamaLayerCache {
  k: tf.Tensor4D; // [B, Hkv, S, Dh], after rotary
  v: tf.Tensor4D; // [B, Hkv, S, Dh]
}

function selfAttention(
  layer: LlamaLayer,
  x: tf.Tensor3D,
  rope: { cos: tf.Tensor4D; sin: tf.Tensor4D },
  bias: tf.Tensor4D,
  c: LlamaConfig,
  seeds: DropoutSeeds,
  past: LlamaLayerCache | undefined,
): { out: tf.Tensor3D; cache: LlamaLayerCache } {
  const q = applyRotary(splitHeads(linear(x, layer.q, seeds), c.numAttentionHeads, c.headDim), rope.cos, rope.sin); // [B, H, L, Dh]
  let k = applyRotary(splitHeads(linear(x, layer.k, seeds), c.numKeyValueHeads, c.headDim), rope.cos, rope.sin); // [B, Hkv, L, Dh]
  let v = splitHeads(linear(x, layer.v, seeds), c.numKeyValueHeads, c.headDim); // [B, Hkv, L, Dh]
  if (past !== undefined) {
    k = tf.concat([past.k, k], 2); // [B, Hkv, past+L, Dh]
    v = tf.concat([past.v, v], 2); // [B, Hkv, past+L, Dh]
  }
  const nRep = c.numAttentionHeads / c.numKeyValueHeads;
  const ctx = attend(q, repeatKv(k, nRep), repeatKv(v, nRep), bias, c.headDim ** -0.5); // [B, H, L, Dh]
  return { out: linear(mergeHeads(ctx), layer.o, seeds), cache: { k, v } };
}

function mlp(layer: LlamaLayer, x: tf.Tensor3D, c: LlamaConfig, seeds: DropoutSeeds): tf.Tensor3D {
  const gated = tf.mul<tf.Tensor3D>(activate(linear(x, layer.gate, seeds), c.hiddenAct), linear(x, layer.up, seeds)); // [B, L, I]
  return linear(gated, layer.down, seeds);
}

/**
 * The decoder stack on embeddings [B, L, d] with positions [B][L] and the full attention mask [B][past+L].
 * Returns logits [B, L, V] and the per-layer cache (keys/values of all past+L positions).
 */
export function llamaDecode(
  model: LlamaModel,
  embeds: tf.Tensor3D,
  positions: readonly (readonly number[])[],
  attentionMask: readonly (readonly number[])[],
  seeds: DropoutSeeds,
  past?: LlamaLayerCache[],
  checkpoint = false,
): { logits: tf.Tensor3D; cache: LlamaLayerCache[] } {
  const c = model.config;
  const p = model.params;
  const rope = rotaryTables(positions, c.headDim, c.ropeTheta);
  const bias = causalPaddingBias(attentionMask, embeds.shape[1]); // [B, 1, L, past+L]
  let h = embeds;
  const cache: LlamaLayerCache[] = [];
  p.layers.forEach((layer, i) => {
    const layerSeed = seeds.forkSeed(); // a re-run (checkpointing) replays the same LoRA dropout masks
    const run = (x: tf.Tensor3D, cos: tf.Tensor4D, sin: tf.Tensor4D, b: tf.Tensor4D, record: boolean): tf.Tensor3D => {
      const s = seeds.derive(layerSeed);
      const attn = selfAttention(layer, rmsNorm(x, layer.inputNorm, c.rmsNormEps), { cos, sin }, b, c, s, past?.[i]);
      const y = tf.add<tf.Tensor3D>(x, attn.out);
      if (record) cache.push(attn.cache);
      return tf.add<tf.Tensor3D>(y, mlp(layer, rmsNorm(y, layer.postAttentionNorm, c.rmsNormEps), c, s));
    };
    const linears = [layer.q, layer.k, layer.v, layer.o, layer.gate, layer.up, layer.down];
    h =
      checkpoint && past === undefined
        ? (rematerialize(
            (xs, cs) => run(xs[0] as tf.Tensor3D, cs[0] as tf.Tensor4D, cs[1] as tf.Tensor4D, cs[2] as tf.Tensor4D, false),
            [h],
            [rope.cos, rope.sin, bias],
            loraVariables(linears),
          ) as tf.Tensor3D)
        : run(h, rope.cos, rope.sin, bias, true);
  });
  h = rmsNorm(h, p.norm, c.rmsNormEps);
  return { logits: linear(h, p.lmHead), cache };
}

// ---------------------------------------------------------------------------------------------- model forward

export interface LlamaInputs {
  inputIds?: tf.Tensor2D;
  inputsEmbeds?: tf.Tensor3D;
  attentionMask: tf.Tensor2D;
  labels?: tf.Tensor2D;
  /** Default arange(L) for every row, pads included (HF forward without position_ids). */
  positionIds?: tf.Tensor2D;
}

export interface LlamaOutput {
  logits: tf.Tensor3D;
  loss?: tf.Scalar;
}

/** LlamaForCausalLM.forward; loss = mean CE of logits[:, t] vs labels[:, t+1] over labels != -100. */
export function llamaForwardImpl(model: LlamaModel, inputs: LlamaInputs, opts: ForwardOptions = {}): LlamaOutput {
  const seeds = new DropoutSeeds(opts.training === true, opts.seed, 0);
  const embeds = resolveEmbeds(model.params.embedTokens, inputs.inputIds, inputs.inputsEmbeds);
  const [b, l] = embeds.shape;
  const mask = toRows(inputs.attentionMask);
  const positions = inputs.positionIds !== undefined ? toRows(inputs.positionIds) : Array.from({ length: b }, () => Array.from({ length: l }, (_, t) => t));
  const { logits } = llamaDecode(model, embeds, positions, mask, seeds, undefined, opts.checkpoint === true);
  const out: LlamaOutput = { logits };
  if (inputs.labels !== undefined) {
    const v = logits.shape[2];
    const shiftedLogits = tf.reshape<tf.Rank.R2>(tf.slice(logits, [0, 0, 0], [b, l - 1, v]), [b * (l - 1), v]); // [B*(L-1), V]
    const labels = tf.cast(inputs.labels, "int32");
    const shiftedLabels = tf.reshape<tf.Rank.R1>(tf.slice(labels, [0, 1], [b, l - 1]), [b * (l - 1)]); // [B*(L-1)]
    out.loss = crossEntropyLoss(shiftedLogits, shiftedLabels);
  }
  return out;
}
