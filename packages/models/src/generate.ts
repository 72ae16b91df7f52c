// Greedy generation (HF GenerationMixin._sample with do_sample=False, num_beams=1): argmax each step, stop when
// every row has produced EOS or after maxNewTokens; a finished row is padded with the pad id from then on.
// T5: the encoder runs once, cross-attention keys/values are computed once, the decoder keeps a self-attention
// KV cache. Llama: left-padded batch, positions cumsum(mask)-1 (pads 1) as HF generate derives them, KV cache;
// when inputsEmbeds are given (prompt tuning / DePT) the first step is built from them.
import * as tf from "@tensorflow/tfjs";
import { DropoutSeeds } from "./linear.ts";
import { llamaDecode, positionsFromMask, type LlamaLayerCache, type LlamaModel } from "./llama.ts";
import { embed, type LoadedModel } from "./model.ts";
import { t5CrossCache, t5Decode, t5Encode, type T5LayerCache, type T5Model } from "./t5.ts";

export interface GenerateInputs {
  inputIds?: tf.Tensor2D;
  inputsEmbeds?: tf.Tensor3D;
  attentionMask: tf.Tensor2D;
}

export interface GenerateOptions {
  maxNewTokens: number;
  /** Called with each step's raw next-token logits [B, V] (for parity checks); do not keep the tensor. */
  onStepLogits?: (step: number, logits: tf.Tensor2D) => void;
}

/**
 * Greedy decoding. Returns one row per input with the generated ids only (no decoder start token for T5, no
 * prompt for Llama), all rows the same length: after a row's EOS it holds the pad id (HF `sequences` layout).
 */
export async function generate(model: LoadedModel, inputs: GenerateInputs, opts: GenerateOptions): Promise<number[][]> {
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 0) {
    throw new Error(`maxNewTokens must be a non-negative integer, got ${opts.maxNewTokens}`);
  }
  if ((inputs.inputIds === undefined) === (inputs.inputsEmbeds === undefined)) {
    throw new Error("generate: pass exactly one of inputIds and inputsEmbeds");
  }
  return model.kind === "t5" ? generateT5(model, inputs, opts) : generateLlama(model, inputs, opts);
}

/** Shared bookkeeping: pick argmax, pad finished rows, track EOS. Returns true when every row is done. */
class GreedyState {
  readonly rows: number[][];
  private readonly finished: boolean[];
  constructor(batch: number, private readonly eos: number, private readonly pad: number) {
    this.rows = Array.from({ length: batch }, () => []);
    this.finished = new Array<boolean>(batch).fill(false);
  }
  async push(logits: tf.Tensor2D): Promise<number[]> {
    const best = tf.argMax(logits, -1);
    const ids = Array.from(await best.data());
    best.dispose();
    const next = ids.map((id, r) => (this.finished[r] === true ? this.pad : id));
    next.forEach((id, r) => {
      this.rows[r]!.push(id);
      if (id === this.eos) this.finished[r] = true;
    });
    return next;
  }
  get done(): boolean {
    return this.finished.every((f) => f);
  }
}

function lastStep(logits: tf.Tensor3D): tf.Tensor2D {
  const [b, t, v] = logits.shape;
  return tf.reshape(tf.slice(logits, [0, t - 1, 0], [b, 1, v]), [b, v]); // [B, V]
}

function disposeAll(x: tf.TensorContainer): void {
  tf.dispose(x);
}

/** tf.tidy for a result object whose tensors sit in a plain structure (arrays/objects, possibly with nulls). */
function tidyKeep<T>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}

async function generateT5(model: T5Model, inputs: GenerateInputs, opts: GenerateOptions): Promise<number[][]> {
  const c = model.config;
  const seeds = new DropoutSeeds(false, undefined);
  const mask = tf.tidy(() => tf.cast(inputs.attentionMask, "int32"));
  const encoderHidden = tf.tidy(() => {
    const embeds = inputs.inputsEmbeds ?? embed(model, inputs.inputIds!);
    return t5Encode(model, embeds, mask, seeds);
  });
  let layers: T5LayerCache[] = tidyKeep(() => t5CrossCache(model, encoderHidden));
  const crossOnly = layers;
  const batch = mask.shape[0];
  const state = new GreedyState(batch, c.eosTokenId, c.padTokenId);
  let current = new Array<number>(batch).fill(c.decoderStartTokenId);
  try {
    for (let step = 0; step < opts.maxNewTokens && !state.done; step++) {
      const out = tidyKeep(() => {
        const ids = tf.tensor2d(current, [batch, 1], "int32");
        const r = t5Decode(model, ids, encoderHidden, mask, seeds, { start: step, layers });
        return { logits: lastStep(r.logits), layers: r.layers };
      });
      // The old self-attention cache is replaced; cross keys/values are shared by every step's cache.
      if (layers !== crossOnly) disposeAll(layers.map((l) => [l.self?.k, l.self?.v].filter((t) => t !== undefined)));
      layers = out.layers;
      opts.onStepLogits?.(step, out.logits);
      current = await state.push(out.logits);
      out.logits.dispose();
    }
  } finally {
    if (layers !== crossOnly) disposeAll(layers.map((l) => [l.self?.k, l.self?.v].filter((t) => t !== undefined)));
    disposeAll(crossOnly.map((l) => [l.cross.k, l.cross.v]));
    disposeAll([encoderHidden, mask]);
  }
  return state.rows;
}

async function generateLlama(model: LlamaModel, inputs: GenerateInputs, opts: GenerateOptions): Promise<number[][]> {
  const c = model.config;
  const seeds = new DropoutSeeds(false, undefined);
  const mask = (await inputs.attentionMask.array()).map((row) => row.map((v) => Math.round(v)));
  const batch = mask.length;
  // HF generation uses pad_token_id for finished rows, falling back to eos when the model has none.
  const state = new GreedyState(batch, c.eosTokenId, c.padTokenId ?? c.eosTokenId);
  let cache: LlamaLayerCache[] | undefined;
  let current: number[] = [];
  try {
    for (let step = 0; step < opts.maxNewTokens && !state.done; step++) {
      let positions: number[][];
      if (step === 0) {
        positions = positionsFromMask(mask);
      } else {
        for (const row of mask) row.push(1);
        positions = mask.map((row) => [row.reduce((a, b) => a + b, 0) - 1]);
      }
      const past = cache;
      const out = tidyKeep(() => {
        const embeds =
          step === 0
            ? (inputs.inputsEmbeds ?? embed(model, inputs.inputIds!))
            : embed(model, tf.tensor2d(current, [batch, 1], "int32"));
        const r = llamaDecode(model, embeds, positions, mask, seeds, past);
        return { logits: lastStep(r.logits), cache: r.cache };
      });
      if (past !== undefined) disposeAll(past.map((l) => [l.k, l.v]));
      cache = out.cache;
      opts.onStepLogits?.(step, out.logits);
      current = await state.push(out.logits);
      out.logits.dispose();
    }
  } finally {
    if (cache !== undefined) disposeAll(cache.map((l) => [l.k, l.v]));
  }
  return state.rows;
}
