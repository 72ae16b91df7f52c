// Collation against train.py's preprocessing run by HF transformers with the real tokenizers
// (test/fixtures/collate-goldens.json from tools/make_collate_goldens.py). The tokenizer files are the
// ones @dept/models keeps in its own test fixtures (copies of shared/assets/*-tokenizer).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@dept/models";
import { beforeAll, describe, expect, it } from "vitest";
import { collateDecoderOnly, collateSeq2Seq, evalBatches, getTask, maxTargetLength, QA_MAX_TARGET_LENGTH, TASK_NAMES, trainingBatches } from "../src/index.ts";
import { FIXTURES, numpyGolden, torchGolden } from "./helpers.ts";

const TOKENIZERS = join(import.meta.dirname, "..", "..", "models", "test", "fixtures", "tokenizers");

interface Batch { maxSeqLength: number; maxTargetLength?: number; inputIds: number[][]; attentionMask: number[][]; labels: number[][] }
const G = JSON.parse(readFileSync(join(FIXTURES, "collate-goldens.json"), "utf8")) as {
  examples: { source: string; target: string }[];
  t5: { maxTargetLength: Record<string, number>; seq2seq: Batch[] };
  llama: { padTokenId: number; maxTargetLength: Record<string, number>; decoderTrain: Batch[]; decoderEval: Batch[] };
};

let t5: Tokenizer;
let llama: Tokenizer;
beforeAll(async () => {
  t5 = await Tokenizer.fromDir(join(TOKENIZERS, "t5"));
  llama = await Tokenizer.fromDir(join(TOKENIZERS, "llama"));
});

describe("maxTargetLength (get_max_target_length)", () => {
  it("T5 and Llama-2 over labels_list; 20 for QA", () => {
    const kind = (t: string) => (t === "stsb" ? "stsb" : getTask(t).labelsList?.length === 3 ? "ternary" : "binary");
    for (const task of TASK_NAMES) {
      const qa = getTask(task).labelsList === null;
      expect(maxTargetLength(task, t5), task).toBe(qa ? QA_MAX_TARGET_LENGTH : G.t5.maxTargetLength[kind(task)]);
      expect(maxTargetLength(task, llama), task).toBe(qa ? QA_MAX_TARGET_LENGTH : G.llama.maxTargetLength[kind(task)]);
    }
  });
});

describe("collateSeq2Seq (T5)", () => {
  it.each(G.t5.seq2seq.map((b) => [b.maxSeqLength, b.maxTargetLength!, b] as const))("s=%i, target %i: ids, mask, labels with -100", (s, t, golden) => {
    const got = collateSeq2Seq(G.examples, t5, { maxSeqLength: s, maxTargetLength: t });
    expect(got).toEqual({ inputIds: golden.inputIds, attentionMask: golden.attentionMask, labels: golden.labels });
  });
});

describe("collateDecoderOnly (Llama-2, pad = EOS as train.py sets it)", () => {
  it("pad id is EOS", () => {
    expect(llama.padTokenId).toBe(G.llama.padTokenId);
  });
  it.each(G.llama.decoderTrain.map((b) => [b.maxSeqLength, b] as const))("train, s=%i: prompt masked, target + pad, left padded, head kept", (s, golden) => {
    expect(collateDecoderOnly(G.examples, llama, { maxSeqLength: s, train: true })).toEqual({ inputIds: golden.inputIds, attentionMask: golden.attentionMask, labels: golden.labels });
  });
  it.each(G.llama.decoderEval.map((b) => [b.maxSeqLength, b] as const))("eval, s=%i: prompt only, labels = left-padded target", (s, golden) => {
    expect(collateDecoderOnly(G.examples, llama, { maxSeqLength: s, train: false })).toEqual({ inputIds: golden.inputIds, attentionMask: golden.attentionMask, labels: golden.labels });
  });
  it("rejects a bad length", () => {
    expect(() => collateDecoderOnly(G.examples, llama, { maxSeqLength: 0, train: true })).toThrow(/maxSeqLength: expected a positive integer/);
  });
});

describe("batch order", () => {
  it("training batches: epoch e uses permutation(n, seed + e), last batch short, endless", () => {
    const NUMPY = numpyGolden();
    const perm = (n: number, seed: number) => NUMPY.get(`seed${seed}.n${n}`)!;
    const gen = trainingBatches(10, 4, 0, perm);
    const next = () => {
      const r = gen.next();
      if (r.done === true) throw new Error("trainingBatches ended");
      return r.value;
    };
    const first = [next(), next(), next()];
    expect(first.map((b) => b.epoch)).toEqual([0, 0, 0]);
    expect(first.flatMap((b) => b.indices)).toEqual(Array.from(perm(10, 0)));
    expect(first.map((b) => b.indices.length)).toEqual([4, 4, 2]);
    // seed 0 + epoch 13 -> the seed-13 permutation
    const from13 = trainingBatches(10, 10, 0, perm, 13).next().value;
    expect(from13).toEqual({ epoch: 13, indices: Array.from(perm(10, 13)) });
  });
  it("the default epoch permutation is torch.randperm (golden seed-42 sizes)", () => {
    const golden = torchGolden().get("medium.1000")!;
    expect(trainingBatches(1000, 1000, 42).next().value).toEqual({ epoch: 0, indices: Array.from(golden) });
  });
  it("eval batches are file order", () => {
    expect([...evalBatches(5, 2)]).toEqual([[0, 1], [2, 3], [4]]);
  });
});
