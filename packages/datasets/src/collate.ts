// Batch collation the way train.py tokenises (seq2seq_preprocess_function, decoder_preprocess_function,
// decoder_test_preprocess_function), plus the seeded per-epoch order of training examples.
// The tokenizer is @dept/models' Tokenizer; only the members used here are required (TokenizerLike).
import { torchRandperm } from "@dept/runtime";
import { DatasetError } from "./errors.ts";
import type { Example } from "./load.ts";
import { QA_MAX_TARGET_LENGTH, type TaskSpec } from "./tasks.ts";
import { resolveTask } from "./load.ts";

/** What collation needs of @dept/models' Tokenizer (which satisfies it). */
export interface TokenizerLike {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  batchEncode(
    texts: string[],
    opts: { padding: "max_length" | "longest"; maxLength?: number; truncation?: boolean; paddingSide?: "left" | "right" },
  ): { inputIds: number[][]; attentionMask: number[][] };
  readonly padTokenId: number;
}

/** Label id the loss ignores (torch CrossEntropyLoss ignore_index). */
export const IGNORE_INDEX = -100;

type ExampleText = Pick<Example, "source" | "target">;

/**
 * get_max_target_length: the longest tokenised label of labels_list (special tokens included, e.g. T5
 * "0" -> [3, 632, 1] = 3), or 20 (generation_max_length) for tasks without labels_list (QA).
 */
export function maxTargetLength(task: string | TaskSpec, tokenizer: TokenizerLike): number {
  const spec = resolveTask(task);
  if (spec.labelsList === null) return QA_MAX_TARGET_LENGTH;
  return Math.max(...spec.labelsList.map((l) => tokenizer.encode(l).length));
}

function checkLength(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new DatasetError(name, `expected a positive integer, got ${v}`);
}

export interface Seq2SeqBatch {
  inputIds: number[][];
  attentionMask: number[][];
  /** Target ids padded to maxTargetLength; pad ids -> -100. */
  labels: number[][];
}

/**
 * T5: source padded/truncated to exactly maxSeqLength (tail truncation, EOS kept, right padding);
 * targets padded/truncated to maxTargetLength with every pad id replaced by -100.
 */
export function collateSeq2Seq(examples: readonly ExampleText[], tokenizer: TokenizerLike, opts: { maxSeqLength: number; maxTargetLength: number }): Seq2SeqBatch {
  checkLength("maxSeqLength", opts.maxSeqLength);
  checkLength("maxTargetLength", opts.maxTargetLength);
  const src = tokenizer.batchEncode(examples.map((e) => e.source), { padding: "max_length", maxLength: opts.maxSeqLength, truncation: true, paddingSide: "right" });
  const tgt = tokenizer.batchEncode(examples.map((e) => e.target), { padding: "max_length", maxLength: opts.maxTargetLength, truncation: true, paddingSide: "right" });
  const pad = tokenizer.padTokenId;
  return {
    inputIds: src.inputIds,
    attentionMask: src.attentionMask,
    labels: tgt.inputIds.map((row) => row.map((id) => (id === pad ? IGNORE_INDEX : id))),
  };
}

export interface DecoderOnlyBatch {
  inputIds: number[][];
  attentionMask: number[][];
  /** train: -100 over pads and the prompt, then the target ids and one pad (EOS) id; eval: the target ids left-padded with -100. */
  labels: number[][];
}

/** The decoder-only prompt of train.py: f"{source} Label : ". */
export function decoderPrompt(source: string): string {
  return `${source} Label : `;
}

/**
 * Llama: every row exactly maxSeqLength long, LEFT padded with padTokenId (mask 0).
 * train: ids = tok(prompt) + tok(target) + [pad]; labels = -100 over the prompt, then tok(target) + [pad]
 *   (the target tokenisation keeps its own BOS, as in the reference); rows longer than maxSeqLength keep
 *   their FIRST maxSeqLength tokens (the reference's [:max_seq_length], which can cut the label).
 * eval: ids = tok(prompt) left padded; labels = tok(target) left padded with -100 (to the same width).
 */
export function collateDecoderOnly(examples: readonly ExampleText[], tokenizer: TokenizerLike, opts: { maxSeqLength: number; train: boolean }): DecoderOnlyBatch {
  checkLength("maxSeqLength", opts.maxSeqLength);
  const s = opts.maxSeqLength;
  const pad = tokenizer.padTokenId;
  const out: DecoderOnlyBatch = { inputIds: [], attentionMask: [], labels: [] };
  for (const e of examples) {
    const prompt = tokenizer.encode(decoderPrompt(e.source));
    const target = tokenizer.encode(e.target);
    if (opts.train) {
      const answer = [...target, pad];
      const ids = [...prompt, ...answer];
      const k = Math.max(0, s - ids.length);
      out.inputIds.push([...new Array<number>(k).fill(pad), ...ids].slice(0, s));
      out.attentionMask.push([...new Array<number>(k).fill(0), ...new Array<number>(ids.length).fill(1)].slice(0, s));
      out.labels.push([...new Array<number>(k + prompt.length).fill(IGNORE_INDEX), ...answer].slice(0, s));
    } else {
      const k = Math.max(0, s - prompt.length);
      out.inputIds.push([...new Array<number>(k).fill(pad), ...prompt].slice(0, s));
      out.attentionMask.push([...new Array<number>(k).fill(0), ...new Array<number>(prompt.length).fill(1)].slice(0, s));
      out.labels.push([...new Array<number>(Math.max(0, s - target.length)).fill(IGNORE_INDEX), ...target].slice(0, s));
    }
  }
  return out;
}

/** Index order of one training epoch: a permutation of 0..n-1 from a seed. */
export type EpochPermutation = (n: number, seed: number) => Int32Array;

/**
 * Training batches over `n` examples: epoch e visits the examples in the order permutation(n, seed + e)
 * (accelerate's SeedableRandomSampler: a generator seeded with seed + epoch, then torch.randperm), in
 * batches of batchSize (the last one of an epoch may be short, drop_last=False), forever. The default
 * permutation is @dept/runtime's torchRandperm.
 */
export function* trainingBatches(n: number, batchSize: number, seed: number, permutation: EpochPermutation = torchRandperm, startEpoch = 0): Generator<{ epoch: number; indices: number[] }> {
  checkLength("batchSize", batchSize);
  if (n === 0) throw new DatasetError("training set", "has no examples");
  for (let epoch = startEpoch; ; epoch++) {
    const order = permutation(n, seed + epoch);
    for (let i = 0; i < n; i += batchSize) yield { epoch, indices: Array.from(order.subarray(i, Math.min(n, i + batchSize))) };
  }
}

/** Evaluation batches: file order, fixed, batchSize at a time (the last may be short). */
export function* evalBatches(n: number, batchSize: number): Generator<number[]> {
  checkLength("batchSize", batchSize);
  for (let i = 0; i < n; i += batchSize) yield Array.from({ length: Math.min(batchSize, n - i) }, (_, j) => i + j);
}
