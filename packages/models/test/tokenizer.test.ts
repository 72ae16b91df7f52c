// Tokenizer against the HF goldens (test/fixtures/tokenizers/README.md): ids exact for every case, token strings,
// decode with and without clean-up, the padded/truncated T5 batch, Llama left padding, and error messages.
import { mkdtemp, rm, writeFile, copyFile, mkdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tokenizer, TokenizerError } from "../src/index.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/tokenizers/", import.meta.url));
const T5_DIR = join(FIXTURES, "t5");
const LLAMA_DIR = join(FIXTURES, "llama");

interface GoldenCase { category: string; text: string; ids: number[]; tokens: string[]; decoded: string; decoded_cleanup?: string }
interface Golden {
  special_ids: { pad: number | null; eos: number; unk: number; bos: number | null };
  cases: GoldenCase[];
  batch?: { texts: string[]; input_ids: number[][]; attention_mask: number[][] };
}
const readGolden = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Golden;
const T5_GOLDEN = readGolden("golden-t5.json");
const LLAMA_GOLDEN = readGolden("golden-llama.json");

let t5: Tokenizer;
let llama: Tokenizer;
beforeAll(async () => {
  t5 = await Tokenizer.fromDir(T5_DIR);
  llama = await Tokenizer.fromDir(LLAMA_DIR);
});

describe.each([
  ["t5", () => t5, T5_GOLDEN],
  ["llama", () => llama, LLAMA_GOLDEN],
] as const)("%s goldens", (_name, get, golden) => {
  it("has 88 cases", () => {
    expect(golden.cases).toHaveLength(88);
  });
  it("encodes every case to the golden ids (special tokens added)", () => {
    const mismatches = golden.cases.filter((c) => JSON.stringify(get().encode(c.text)) !== JSON.stringify(c.ids)).map((c) => c.text);
    expect(mismatches).toEqual([]);
  });
  it("gives the golden token strings and tokenize() = tokens without special tokens", () => {
    const tok = get();
    for (const c of golden.cases) {
      expect(tok.convertIdsToTokens(tok.encode(c.text)), c.text).toEqual(c.tokens);
      const content = c.ids.filter((id) => !tok.isSpecialId(id) || id === tok.unkTokenId);
      expect(tok.tokenize(c.text), c.text).toEqual(tok.convertIdsToTokens(content));
    }
  });
  it("decodes with skip_special_tokens to the golden text (and with clean-up for T5)", () => {
    const tok = get();
    for (const c of golden.cases) {
      expect(tok.decode(c.ids, { skipSpecialTokens: true }), c.text).toBe(c.decoded);
      if (c.decoded_cleanup !== undefined) {
        expect(tok.decode(c.ids, { skipSpecialTokens: true, cleanUpTokenizationSpaces: true }), c.text).toBe(c.decoded_cleanup);
      }
    }
  });
  it("has the golden special ids", () => {
    const tok = get();
    expect(tok.eosTokenId).toBe(golden.special_ids.eos);
    expect(tok.bosTokenId).toBe(golden.special_ids.bos);
    expect(tok.unkTokenId).toBe(golden.special_ids.unk);
    if (golden.special_ids.pad !== null) expect(tok.padTokenId).toBe(golden.special_ids.pad);
  });
});

describe("T5", () => {
  it("encodes the DePT init text (spec section 1) to the 11 ids of the paper's init", () => {
    expect(t5.encode("Classify this text is postive or not:")).toEqual([4501, 4921, 48, 1499, 19, 442, 757, 42, 59, 10, 1]);
  });
  it("appends </s> only, has 32100 ids and no BOS", () => {
    expect(t5.prefixIds).toEqual([]);
    expect(t5.suffixIds).toEqual([1]);
    expect(t5.vocabSize).toBe(32100);
    expect(t5.encode("")).toEqual([1]);
    expect(t5.encode("1", { addSpecialTokens: false })).toEqual([209]);
    expect(t5.hasPadToken).toBe(true);
    expect(t5.paddingSide).toBe("right");
    expect(t5.modelMaxLength).toBe(512);
  });
  it("reproduces the golden padded/truncated batch (max_length 16, right padding)", () => {
    const batch = T5_GOLDEN.batch!;
    const got = t5.batchEncode(batch.texts, { padding: "max_length", maxLength: 16, truncation: true });
    expect(got.inputIds).toEqual(batch.input_ids);
    expect(got.attentionMask).toEqual(batch.attention_mask);
  });
  it("pads to the longest row and truncates from the left on request", () => {
    const got = t5.batchEncode(["1", "Classify this text"], { padding: "longest" });
    const second = t5.encode("Classify this text");
    expect(got.inputIds).toEqual([[209, 1, ...new Array<number>(second.length - 2).fill(0)], second]);
    expect(got.attentionMask[0]).toEqual([1, 1, ...new Array<number>(second.length - 2).fill(0)]);
    const left = t5.batchEncode(["Classify this text is postive or not:"], { padding: "max_length", maxLength: 4, truncationSide: "left" });
    // content ... 757, 42, 59, 10 keeps its last 3 pieces, then </s>.
    expect(left.inputIds).toEqual([[42, 59, 10, 1]]);
  });
  it("decodes pads and EOS away and keeps sentinel tokens out with skipSpecialTokens", () => {
    expect(t5.decode([209, 1, 0, 0], { skipSpecialTokens: true })).toBe("1");
    expect(t5.decode([32099, 209, 1], { skipSpecialTokens: false })).toBe("<extra_id_0> 1</s>");
    expect(t5.decode([32099, 209, 1], { skipSpecialTokens: true })).toBe("1");
    expect(t5.decode([])).toBe("");
    expect(() => t5.decode([32100])).toThrow(/outside the vocabulary/);
  });
  it("rejects a maxLength below the special tokens, and max_length padding of an untruncated long text", () => {
    expect(() => t5.batchEncode(["a b"], { padding: "max_length", maxLength: 0 })).toThrow(/maxLength must be a positive integer/);
    expect(() => t5.batchEncode(["a b c d e"], { padding: "max_length", maxLength: 3, truncation: false })).toThrow(/text 0 has \d+ tokens > maxLength 3/);
  });
});

interface BatchGolden {
  texts: string[];
  cases: {
    tokenizer: "t5" | "llama";
    call: { padding: "longest" | "max_length"; max_length?: number; truncation?: boolean; truncation_side: "left" | "right"; padding_side: "left" | "right" };
    input_ids: number[][];
    attention_mask: number[][];
  }[];
}

describe("batchEncode against transformers' __call__ (golden-batch.json, tools/tokenizer_batch_golden.py)", () => {
  const golden = JSON.parse(readFileSync(join(FIXTURES, "golden-batch.json"), "utf8")) as BatchGolden;
  it.each(golden.cases.map((c) => [c.tokenizer, JSON.stringify(c.call), c] as const))("%s %s", (_name, _call, c) => {
    const tok = c.tokenizer === "t5" ? t5 : llama;
    // the defaults must already be HF's: padding side from the tokenizer, pad = EOS for Llama-2
    expect(tok.paddingSide).toBe(c.call.padding_side);
    const got = tok.batchEncode(golden.texts, {
      padding: c.call.padding,
      ...(c.call.max_length === undefined ? {} : { maxLength: c.call.max_length }),
      ...(c.call.truncation === undefined ? {} : { truncation: c.call.truncation }),
      truncationSide: c.call.truncation_side,
    });
    expect(got.inputIds).toEqual(c.input_ids);
    expect(got.attentionMask).toEqual(c.attention_mask);
  });
});

describe("Llama-2", () => {
  it("prepends <s> only, pads on the left, and uses EOS as pad by default (DePT train.py)", () => {
    expect(llama.prefixIds).toEqual([1]);
    expect(llama.suffixIds).toEqual([]);
    expect(llama.vocabSize).toBe(32000);
    expect(llama.hasPadToken).toBe(false);
    expect(llama.padTokenId).toBe(2);
    expect(llama.paddingSide).toBe("left");
    const got = llama.batchEncode(["1", "Classify this text"], { padding: "longest" });
    const long = llama.encode("Classify this text");
    const pads = long.length - 3;
    expect(got.inputIds).toEqual([[...new Array<number>(pads).fill(2), 1, 29871, 29896], long]);
    expect(got.attentionMask[0]).toEqual([...new Array<number>(pads).fill(0), 1, 1, 1]);
  });
  it("truncation keeps <s> and the first maxLength-1 pieces", () => {
    const full = llama.encode("Classify this text is postive or not:");
    const got = llama.batchEncode(["Classify this text is postive or not:", "1"], { padding: "max_length", maxLength: 5, truncation: true });
    expect(got.inputIds[0]).toEqual(full.slice(0, 5));
    expect(got.inputIds[1]).toEqual([2, 2, 1, 29871, 29896]);
  });
  it("takes another pad token on request (the llama-tiny goldens pad with id 0)", async () => {
    const byId = await Tokenizer.fromDir(LLAMA_DIR, { padToken: 0 });
    expect(byId.padTokenId).toBe(0);
    const byName = await Tokenizer.fromDir(LLAMA_DIR, { padToken: "<unk>" });
    expect(byName.padTokenId).toBe(0);
    expect(byName.batchEncode(["1"], { padding: "max_length", maxLength: 4 }).inputIds).toEqual([[0, 1, 29871, 29896]]);
    await expect(Tokenizer.fromDir(LLAMA_DIR, { padToken: "<nope>" })).rejects.toThrow(/padToken '<nope>' is not in the vocabulary/);
  });
});

describe("loading errors and config handling", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dept-tokenizer-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it("names the missing tokenizer.json", async () => {
    const err = await Tokenizer.fromDir(join(dir, "absent")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenizerError);
    expect((err as TokenizerError).exitCode).toBe(2);
    expect((err as TokenizerError).message).toContain(join(dir, "absent", "tokenizer.json"));
  });
  it("names a malformed JSON file", async () => {
    const bad = join(dir, "bad");
    await mkdir(bad);
    await writeFile(join(bad, "tokenizer.json"), "{ not json");
    await expect(Tokenizer.fromDir(bad)).rejects.toThrow(/bad[/\\]tokenizer\.json: not valid JSON/);
  });
  it("honours add_eos_token for LlamaTokenizer as LlamaTokenizerFast.update_post_processor does", async () => {
    const eosDir = join(dir, "llama-eos");
    await mkdir(eosDir);
    await copyFile(join(LLAMA_DIR, "tokenizer.json"), join(eosDir, "tokenizer.json"));
    await copyFile(join(LLAMA_DIR, "special_tokens_map.json"), join(eosDir, "special_tokens_map.json"));
    const config = JSON.parse(readFileSync(join(LLAMA_DIR, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
    await writeFile(join(eosDir, "tokenizer_config.json"), JSON.stringify({ ...config, add_eos_token: true, padding_side: "right" }));
    const tok = await Tokenizer.fromDir(eosDir);
    expect(tok.encode("1")).toEqual([1, 29871, 29896, 2]);
    expect(tok.paddingSide).toBe("right");
  });
  it("works without tokenizer_config.json and special_tokens_map.json only if an EOS is named", async () => {
    const bare = join(dir, "bare");
    await mkdir(bare);
    await copyFile(join(T5_DIR, "tokenizer.json"), join(bare, "tokenizer.json"));
    await expect(Tokenizer.fromDir(bare)).rejects.toThrow(/tokenizer_config\.json: no eos_token defined/);
    await writeFile(join(bare, "special_tokens_map.json"), JSON.stringify({ eos_token: "</s>", pad_token: { content: "<pad>" } }));
    const tok = await Tokenizer.fromDir(bare);
    expect(tok.encode("1")).toEqual([209, 1]);
    expect(tok.padTokenId).toBe(0);
  });
});
