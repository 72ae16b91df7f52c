// T5 (v1: relu FFN, tied embeddings; v1.1 / flan: gated-gelu FFN, untied lm_head) as a params tree and pure
// forward functions. Port of transformers 4.57 models/t5/modeling_t5.py: T5LayerNorm, T5DenseActDense /
// T5DenseGatedActDense, T5Attention (incl. _relative_position_bucket, compute_bias), T5Block, T5Stack,
// T5ForConditionalGeneration.forward (_shift_right, lm_head scaling, loss).
import * as tf from "@tensorflow/tfjs";
import { attend, mergeHeads, paddingBias, splitHeads } from "./attention.ts";
import type { CheckpointReader } from "./checkpoint.ts";
import type { T5Config } from "./config.ts";
import { activate, crossEntropyLoss, gatherRows, IGNORE_INDEX, MASK_VALUE, rmsNorm } from "./layers.ts";
import { DropoutSeeds, linear, type ForwardOptions, type Linear } from "./linear.ts";
import { loraVariables, rematerialize } from "./remat.ts";

// ---------------------------------------------------------------------------------------------- params tree

export interface T5AttentionParams {
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
}

export interface T5FeedForwardParams {
  /** relu (v1): wi; gated (v1.1): wi0 (activated) * wi1 (linear). */
  wi?: Linear;
  wi0?: Linear;
  wi1?: Linear;
  wo: Linear;
}

export interface T5EncoderBlock {
  selfAttnNorm: tf.Tensor1D;
  selfAttn: T5AttentionParams;
  ffNorm: tf.Tensor1D;
  ff: T5FeedForwardParams;
}

export interface T5DecoderBlock extends T5EncoderBlock {
  crossAttnNorm: tf.Tensor1D;
  crossAttn: T5AttentionParams;
}

export interface T5Params {
  /** shared.weight [V, d]: the input embedding of encoder and decoder. */
  shared: tf.Tensor2D;
  encoder: { relativeAttentionBias: tf.Tensor2D /* [buckets, H] */; blocks: T5EncoderBlock[]; finalNorm: tf.Tensor1D };
  decoder: { relativeAttentionBias: tf.Tensor2D /* [buckets, H] */; blocks: T5DecoderBlock[]; finalNorm: tf.Tensor1D };
  /** Untied: lm_head.weight. Tied: { w: shared^T [d, V], wT: shared }, applied after scaling by d_model^-0.5. */
  lmHead: Linear;
}

export interface T5Model {
  kind: "t5";
  config: T5Config;
  params: T5Params;
}

// ---------------------------------------------------------------------------------------------- weight import

/** HF keys that a T5 checkpoint may carry but the model does not read (transformers ignores them too). */
const T5_IGNORABLE: readonly RegExp[] = [
  /^(encoder|decoder)\.embed_tokens\.weight$/, // tied copies of shared.weight
  /^decoder\.block\.0\.layer\.1\.EncDecAttention\.relative_attention_bias\.weight$/, // _keys_to_ignore_on_load_unexpected
];

function readAttention(r: CheckpointReader, prefix: string, c: T5Config): T5AttentionParams {
  const inner = c.numHeads * c.dKv;
  return {
    q: r.linear(`${prefix}.q.weight`, inner, c.dModel),
    k: r.linear(`${prefix}.k.weight`, inner, c.dModel),
    v: r.linear(`${prefix}.v.weight`, inner, c.dModel),
    o: r.linear(`${prefix}.o.weight`, c.dModel, inner),
  };
}

function readFeedForward(r: CheckpointReader, prefix: string, c: T5Config): T5FeedForwardParams {
  const wo = r.linear(`${prefix}.DenseReluDense.wo.weight`, c.dModel, c.dFf);
  if (c.isGatedAct) {
    return {
      wi0: r.linear(`${prefix}.DenseReluDense.wi_0.weight`, c.dFf, c.dModel),
      wi1: r.linear(`${prefix}.DenseReluDense.wi_1.weight`, c.dFf, c.dModel),
      wo,
    };
  }
  return { wi: r.linear(`${prefix}.DenseReluDense.wi.weight`, c.dFf, c.dModel), wo };
}

/** Explicit HF key map: encoder.block.{i}.layer.{0: SelfAttention, 1: FF}; decoder.block.{i}.layer.{0: self, 1: EncDec, 2: FF}. */
export function t5ParamsFromCheckpoint(r: CheckpointReader, c: T5Config): T5Params {
  const shared = r.matrix("shared.weight", c.vocabSize, c.dModel);
  const nb = c.relativeAttentionNumBuckets;
  const encoder = {
    relativeAttentionBias: r.matrix("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", nb, c.numHeads),
    blocks: Array.from({ length: c.numLayers }, (_, i): T5EncoderBlock => ({
      selfAttnNorm: r.vector(`encoder.block.${i}.layer.0.layer_norm.weight`, c.dModel),
      selfAttn: readAttention(r, `encoder.block.${i}.layer.0.SelfAttention`, c),
      ffNorm: r.vector(`encoder.block.${i}.layer.1.layer_norm.weight`, c.dModel),
      ff: readFeedForward(r, `encoder.block.${i}.layer.1`, c),
    })),
    finalNorm: r.vector("encoder.final_layer_norm.weight", c.dModel),
  };
  const decoder = {
    relativeAttentionBias: r.matrix("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", nb, c.numHeads),
    blocks: Array.from({ length: c.numDecoderLayers }, (_, i): T5DecoderBlock => ({
      selfAttnNorm: r.vector(`decoder.block.${i}.layer.0.layer_norm.weight`, c.dModel),
      selfAttn: readAttention(r, `decoder.block.${i}.layer.0.SelfAttention`, c),
      crossAttnNorm: r.vector(`decoder.block.${i}.layer.1.layer_norm.weight`, c.dModel),
      crossAttn: readAttention(r, `decoder.block.${i}.layer.1.EncDecAttention`, c),
      ffNorm: r.vector(`decoder.block.${i}.layer.2.layer_norm.weight`, c.dModel),
      ff: readFeedForward(r, `decoder.block.${i}.layer.2`, c),
    })),
    finalNorm: r.vector("decoder.final_layer_norm.weight", c.dModel),
  };
  let lmHead: Linear;
  if (c.tieWordEmbeddings) {
    r.ignore("lm_head.weight"); // HF re-ties lm_head to shared on load
    lmHead = { w: r.track(tf.transpose(shared)), wT: shared }; // [d, V] / [V, d]
  } else {
    lmHead = r.linear("lm_head.weight", c.vocabSize, c.dModel);
  }
  r.finish(T5_IGNORABLE);
  return { shared, encoder, decoder, lmHead };
}

// ---------------------------------------------------------------------------------------------- relative position bias

/**
 * T5Attention._relative_position_bucket for relative_position = key - query. The log branch is evaluated in
 * float32 step by step (Math.fround) as torch does on float32 tensors, so bucket boundaries agree exactly.
 */
export function relativePositionBucket(relativePosition: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number {
  let buckets = 0;
  let n = numBuckets;
  let rel = relativePosition;
  if (bidirectional) {
    n = Math.floor(n / 2);
    if (rel > 0) buckets += n;
    rel = Math.abs(rel);
  } else {
    rel = -Math.min(rel, 0);
  }
  const maxExact = Math.floor(n / 2);
  if (rel < maxExact) return buckets + rel;
  const f = Math.fround;
  const ratio = f(rel / maxExact);
  const logRatio = f(Math.log(ratio));
  const scaled = f(f(logRatio / f(Math.log(maxDistance / maxExact))) * (n - maxExact));
  const large = Math.min(maxExact + Math.trunc(scaled), n - 1);
  return buckets + large;
}

/** compute_bias: [1, H, Tq, Tk] for query positions q0..q0+Tq-1 and key positions 0..Tk-1. */
export function positionBias(
  table: tf.Tensor2D, // [buckets, H]
  queryStart: number,
  queryLength: number,
  keyLength: number,
  bidirectional: boolean,
  config: T5Config,
): tf.Tensor4D {
  const idx = new Int32Array(queryLength * keyLength);
  for (let i = 0; i < queryLength; i++) {
    for (let j = 0; j < keyLength; j++) {
      idx[i * keyLength + j] = relativePositionBucket(
        j - (queryStart + i),
        bidirectional,
        config.relativeAttentionNumBuckets,
        config.relativeAttentionMaxDistance,
      );
    }
  }
  const heads = table.shape[1];
  const values = tf.gather(table, tf.tensor1d(idx, "int32")); // [Tq*Tk, H]
  const v3 = tf.reshape<tf.Rank.R3>(values, [queryLength, keyLength, heads]); // [Tq, Tk, H]
  return tf.expandDims<tf.Tensor4D>(tf.transpose(v3, [2, 0, 1]), 0); // [1, H, Tq, Tk]
}

/** Causal bias [1, 1, T, T]: MASK_VALUE above the diagonal. */
function causalBias(t: number): tf.Tensor4D {
  const data = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) data[i * t + j] = MASK_VALUE;
  return tf.tensor4d(data, [1, 1, t, t]);
}

// ---------------------------------------------------------------------------------------------- layers

interface KeyValue {
  k: tf.Tensor4D; // [B, H, S, Dh]
  v: tf.Tensor4D; // [B, H, S, Dh]
}

function projectKv(p: T5AttentionParams, x: tf.Tensor3D, c: T5Config, seeds: DropoutSeeds): KeyValue {
  return {
    k: splitHeads(linear(x, p.k, seeds), c.numHeads, c.dKv), // [B, H, S, Dh]
    v: splitHeads(linear(x, p.v, seeds), c.numHeads, c.dKv), // [B, H, S, Dh]
  };
}

/** T5Attention without the 1/sqrt(d) scaling (folded into T5's init); bias = position bias + mask. */
function attention(p: T5AttentionParams, x: tf.Tensor3D, kv: KeyValue, bias: tf.Tensor4D | null, c: T5Config, seeds: DropoutSeeds): tf.Tensor3D {
  const q = splitHeads(linear(x, p.q, seeds), c.numHeads, c.dKv); // [B, H, T, Dh]
  const ctx = attend(q, kv.k, kv.v, bias, 1, { seeds, rate: c.dropoutRate }); // [B, H, T, Dh]
  return linear(mergeHeads(ctx), p.o, seeds); // [B, T, d]
}

/** T5DenseActDense / T5DenseGatedActDense (dropout after the activation). */
function feedForward(p: T5FeedForwardParams, x: tf.Tensor3D, c: T5Config, seeds: DropoutSeeds): tf.Tensor3D {
  const h =
    p.wi !== undefined
      ? activate(linear(x, p.wi, seeds), c.denseActFn)
      : tf.mul<tf.Tensor3D>(activate(linear(x, p.wi0!, seeds), c.denseActFn), linear(x, p.wi1!, seeds));
  return linear(seeds.apply(h), p.wo, seeds);
}

// ---------------------------------------------------------------------------------------------- stacks

function encoderBlock(block: T5EncoderBlock, h: tf.Tensor3D, bias: tf.Tensor4D, c: T5Config, seeds: DropoutSeeds): tf.Tensor3D {
  const n = rmsNorm(h, block.selfAttnNorm, c.layerNormEpsilon);
  const a = tf.add<tf.Tensor3D>(h, seeds.apply(attention(block.selfAttn, n, projectKv(block.selfAttn, n, c, seeds), bias, c, seeds)));
  return tf.add<tf.Tensor3D>(a, seeds.apply(feedForward(block.ff, rmsNorm(a, block.ffNorm, c.layerNormEpsilon), c, seeds)));
}

function blockLinears(block: T5EncoderBlock | T5DecoderBlock): (Linear | undefined)[] {
  const attn = (a: T5AttentionParams) => [a.q, a.k, a.v, a.o];
  const cross = "crossAttn" in block ? attn(block.crossAttn) : [];
  return [...attn(block.selfAttn), ...cross, block.ff.wi, block.ff.wi0, block.ff.wi1, block.ff.wo];
}

/** Encoder stack: inputsEmbeds [B, S, d], attentionMask [B, S] -> last hidden state [B, S, d]. */
export function t5Encode(model: T5Model, inputsEmbeds: tf.Tensor3D, attentionMask: tf.Tensor2D, seeds: DropoutSeeds, checkpoint = false): tf.Tensor3D {
  const c = model.config;
  const p = model.params.encoder;
  const s = inputsEmbeds.shape[1];
  // The first layer's bias is shared by every layer; padded keys are masked, padded queries are not.
  const bias = tf.add<tf.Tensor4D>(positionBias(p.relativeAttentionBias, 0, s, s, true, c), paddingBias(attentionMask, MASK_VALUE)); // [B, H, S, S]
  let h = seeds.apply(inputsEmbeds);
  for (const block of p.blocks) {
    // Each block draws its dropout masks from its own seed, so a re-run (checkpointing) replays them.
    const blockSeed = seeds.forkSeed();
    const run = (x: tf.Tensor3D, b: tf.Tensor4D) => encoderBlock(block, x, b, c, seeds.derive(blockSeed));
    h = checkpoint
      ? (rematerialize((xs, cs) => run(xs[0] as tf.Tensor3D, cs[0] as tf.Tensor4D), [h], [bias], loraVariables(blockLinears(block))) as tf.Tensor3D)
      : run(h, bias);
  }
  return seeds.apply(rmsNorm(h, p.finalNorm, c.layerNormEpsilon));
}

/** Decoder self-attention cache of one layer ([B, H, t, Dh] each) plus the fixed cross-attention keys/values. */
export interface T5LayerCache {
  self: KeyValue | null;
  cross: KeyValue;
}

/**
 * Decoder stack for decoder inputs [B, T] starting at position `start` (0 for teacher forcing; t for a cached
 * step). With `cache` the self-attention keys/values of earlier positions are prepended and the updated cache
 * returned. Returns logits [B, T, V] (after the tied-embedding scaling).
 */
export function t5Decode(
  model: T5Model,
  decoderInputIds: tf.Tensor2D,
  encoderHidden: tf.Tensor3D,
  encoderMask: tf.Tensor2D,
  seeds: DropoutSeeds,
  cache?: { start: number; layers: T5LayerCache[] },
  checkpoint = false,
): { logits: tf.Tensor3D; layers: T5LayerCache[] } {
  const c = model.config;
  const p = model.params.decoder;
  const t = decoderInputIds.shape[1];
  const start = cache?.start ?? 0;
  const keyLength = start + t;
  let selfBias = positionBias(p.relativeAttentionBias, start, t, keyLength, false, c); // [1, H, T, start+T]
  if (t > 1) selfBias = tf.add<tf.Tensor4D>(selfBias, causalBias(t)); // only when several new queries (start is 0 then)
  const crossBias = paddingBias(encoderMask, MASK_VALUE); // [B, 1, 1, S]
  let h = seeds.apply(gatherRows(model.params.shared, decoderInputIds)); // [B, T, d]
  const layers: T5LayerCache[] = [];
  p.blocks.forEach((block, i) => {
    const blockSeed = seeds.forkSeed();
    const run = (x: tf.Tensor3D, enc: tf.Tensor3D, selfBias: tf.Tensor4D, crossBias: tf.Tensor4D, record: boolean): tf.Tensor3D => {
      const s = seeds.derive(blockSeed);
      const n = rmsNorm(x, block.selfAttnNorm, c.layerNormEpsilon);
      const fresh = projectKv(block.selfAttn, n, c, s);
      const past = cache?.layers[i]?.self ?? null;
      const kv: KeyValue =
        past === null ? fresh : { k: tf.concat([past.k, fresh.k], 2), v: tf.concat([past.v, fresh.v], 2) }; // [B, H, start+T, Dh]
      let y = tf.add<tf.Tensor3D>(x, s.apply(attention(block.selfAttn, n, kv, selfBias, c, s)));
      const cross = cache?.layers[i]?.cross ?? projectKv(block.crossAttn, enc, c, s);
      const nc = rmsNorm(y, block.crossAttnNorm, c.layerNormEpsilon);
      y = tf.add<tf.Tensor3D>(y, s.apply(attention(block.crossAttn, nc, cross, crossBias, c, s)));
      y = tf.add<tf.Tensor3D>(y, s.apply(feedForward(block.ff, rmsNorm(y, block.ffNorm, c.layerNormEpsilon), c, s)));
      if (record) layers.push({ self: kv, cross });
      return y;
    };
    // Checkpointing only applies to a full (teacher-forced) pass; cached decoding keeps its keys/values.
    h = checkpoint && cache === undefined
      ? (rematerialize(
          (xs, cs) => run(xs[0] as tf.Tensor3D, xs[1] as tf.Tensor3D, cs[0] as tf.Tensor4D, cs[1] as tf.Tensor4D, false),
          [h, encoderHidden],
          [selfBias, crossBias],
          loraVariables(blockLinears(block)),
        ) as tf.Tensor3D)
      : run(h, encoderHidden, selfBias, crossBias, true);
  });
  h = seeds.apply(rmsNorm(h, p.finalNorm, c.layerNormEpsilon));
  // Tied embeddings: rescale before the projection onto the vocabulary (Mesh TensorFlow convention).
  if (c.tieWordEmbeddings) h = tf.mul(h, c.dModel ** -0.5);
  return { logits: linear(h, model.params.lmHead), layers };
}

/** Cross-attention keys/values for every decoder layer, computed once per generation. */
export function t5CrossCache(model: T5Model, encoderHidden: tf.Tensor3D): T5LayerCache[] {
  const seeds = new DropoutSeeds(false, undefined);
  return model.params.decoder.blocks.map((block) => ({ self: null, cross: projectKv(block.crossAttn, encoderHidden, model.config, seeds) }));
}

/** _shift_right: [decoder_start, labels[:, :-1]] with -100 replaced by pad. */
export function shiftRight(labels: tf.Tensor2D, decoderStartTokenId: number, padTokenId: number): tf.Tensor2D {
  const [b, t] = labels.shape;
  const ids = tf.cast(labels, "int32");
  const start = tf.fill<tf.Rank.R2>([b, 1], decoderStartTokenId, "int32");
  const shifted = tf.concat<tf.Tensor2D>([start, tf.slice(ids, [0, 0], [b, t - 1])], 1); // [B, T]
  return tf.where(tf.equal(shifted, IGNORE_INDEX), tf.fill([b, t], padTokenId, "int32"), shifted);
}

// ---------------------------------------------------------------------------------------------- model forward

export interface T5Inputs {
  inputIds?: tf.Tensor2D;
  inputsEmbeds?: tf.Tensor3D;
  attentionMask: tf.Tensor2D;
  labels?: tf.Tensor2D;
  decoderInputIds?: tf.Tensor2D;
}

export interface T5Output {
  logits: tf.Tensor3D;
  loss?: tf.Scalar;
  encoderLastHiddenState: tf.Tensor3D;
}

/** T5ForConditionalGeneration.forward. Call inside tf.tidy (or tf.grad); nothing is kept. */
export function t5ForwardImpl(model: T5Model, inputs: T5Inputs, opts: ForwardOptions = {}): T5Output {
  const c = model.config;
  const seeds = new DropoutSeeds(opts.training === true, opts.seed, c.dropoutRate);
  const embeds = resolveEmbeds(model.params.shared, inputs.inputIds, inputs.inputsEmbeds);
  const mask = tf.cast(inputs.attentionMask, "int32");
  const checkpoint = opts.checkpoint === true;
  const encoderLastHiddenState = t5Encode(model, embeds, mask, seeds, checkpoint);
  let decoderInputIds = inputs.decoderInputIds;
  if (decoderInputIds === undefined) {
    if (inputs.labels === undefined) throw new Error("t5Forward needs labels or decoderInputIds");
    decoderInputIds = shiftRight(inputs.labels, c.decoderStartTokenId, c.padTokenId);
  }
  const { logits } = t5Decode(model, tf.cast(decoderInputIds, "int32"), encoderLastHiddenState, mask, seeds, undefined, checkpoint);
  const out: T5Output = { logits, encoderLastHiddenState };
  if (inputs.labels !== undefined) {
    const [b, t, v] = logits.shape;
    out.loss = crossEntropyLoss(tf.reshape(logits, [b * t, v]), tf.reshape(tf.cast(inputs.labels, "int32"), [b * t]));
  }
  return out;
}

/** Exactly one of inputIds / inputsEmbeds; ids are looked up in the frozen embedding table. */
export function resolveEmbeds(table: tf.Tensor2D, inputIds: tf.Tensor2D | undefined, inputsEmbeds: tf.Tensor3D | undefined): tf.Tensor3D {
  if ((inputIds === undefined) === (inputsEmbeds === undefined)) {
    throw new Error("pass exactly one of inputIds and inputsEmbeds");
  }
  if (inputsEmbeds !== undefined) return inputsEmbeds;
  return gatherRows(table, inputIds!); // [B, S, d]
}
