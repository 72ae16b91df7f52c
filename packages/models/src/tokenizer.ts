// Tokenizer for T5 (SentencePiece Unigram) and Llama-2 (SentencePiece BPE with byte fallback), loaded from a
// Hugging Face tokenizer folder (tokenizer.json + tokenizer_config.json + special_tokens_map.json).
//
// The normaliser / pre-tokenizer / model / decoder pipeline is @huggingface/tokenizers (a JS port of HF
// `tokenizers`); this wrapper adds what transformers' PreTrainedTokenizerFast layers on top of it and DePT relies
// on (transformers 4.x, tokenization_utils_base.py):
// - special tokens: from the tokenizer.json post-processor (T5: `$A </s>`), except for LlamaTokenizer(Fast),
//   whose `update_post_processor()` rebuilds the template from `add_bos_token` / `add_eos_token` in
//   tokenizer_config.json (defaults true / false);
// - `convert_ids_to_tokens` semantics for token strings (an unknown span is `<unk>`, not the original text that
//   `Encoding.tokens` shows for Unigram);
// - `__call__(texts, padding, truncation, max_length)`: truncation removes content tokens only and re-adds the
//   special tokens (`truncate_sequences` + `build_inputs_with_special_tokens`), padding with the pad id and an
//   attention mask of 0 on the side given by `padding_side`;
// - `decode(skip_special_tokens, clean_up_tokenization_spaces)`.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";

/** A tokenizer folder that cannot be used: names the file and what is wrong. Exit code 2 in the CLI. */
export class TokenizerError extends Error {
  override readonly name = "TokenizerError";
  readonly exitCode = 2 as const;
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export type PaddingSide = "left" | "right";

export interface TokenizerLoadOptions {
  /**
   * Pad token for tokenizers that have none (Llama-2: `pad_token: null`). "eos" (the default) uses the EOS id, as
   * DePT's train.py does (`tokenizer.pad_token = tokenizer.eos_token` when it is None); a token string or an id
   * selects that token instead (the llama-tiny goldens use id 0 = `<unk>`). Ignored when the tokenizer has a pad token.
   */
  padToken?: string | number;
}

export interface BatchEncodeOptions {
  /** "max_length": every row has exactly maxLength ids; "longest": rows padded to the longest row of the batch. */
  padding: "max_length" | "longest";
  /** Defaults to tokenizer_config.json's model_max_length when that is a real limit (T5: 512). */
  maxLength?: number;
  /** Truncate to maxLength keeping the special tokens (HF `truncation=True`). Default: true when maxLength is set. */
  truncation?: boolean;
  /** Default: tokenizer_config.json `padding_side`, else left for LlamaTokenizer(Fast), else right (HF defaults). */
  paddingSide?: PaddingSide;
  /** Which end loses tokens. Default: tokenizer_config.json `truncation_side`, else "right" (HF default). */
  truncationSide?: PaddingSide;
  addSpecialTokens?: boolean;
}

export interface BatchEncoding {
  inputIds: number[][];
  attentionMask: number[][];
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
  /**
   * transformers' `clean_up_tokenization_spaces` (" ." -> "." etc.). Default: the tokenizer_config.json value,
   * else false (transformers >= 4.45). DePT ran with transformers ~4.30, where the default was true.
   */
  cleanUpTokenizationSpaces?: boolean;
}

/** tokenizer_config.json / special_tokens_map.json store a special token as a string or an AddedToken dict. */
function tokenContent(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return null;
}

async function readJson(path: string, required: boolean): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!required && code === "ENOENT") return null;
    throw new TokenizerError(path, code === "ENOENT" ? "file not found (expected a Hugging Face tokenizer file)" : `cannot read: ${String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TokenizerError(path, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TokenizerError(path, "expected a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** model_max_length values >= this are transformers' VERY_LARGE_INTEGER (int(1e30)) sentinel, i.e. "no limit". */
const NO_MODEL_MAX_LENGTH = 1e15;

export class Tokenizer {
  readonly padTokenId: number;
  readonly eosTokenId: number;
  readonly bosTokenId: number | null;
  readonly unkTokenId: number | null;
  /** Number of ids the tokenizer can produce (len(tokenizer) in transformers: T5 32100, Llama-2 32000). */
  readonly vocabSize: number;
  /** False when the folder defines no pad token and padTokenId comes from TokenizerLoadOptions.padToken. */
  readonly hasPadToken: boolean;
  readonly paddingSide: PaddingSide;
  readonly truncationSide: PaddingSide;
  /** tokenizer_config.json model_max_length, or null when it is absent or the "no limit" sentinel. */
  readonly modelMaxLength: number | null;
  /** Ids added before / after the content by `encode(text)` (T5: [] / [1]; Llama-2: [1] / []). */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  readonly source: string;

  private readonly hf: HfTokenizer;
  private readonly specialIds: ReadonlySet<number>;
  private readonly cleanUpDefault: boolean;

  private constructor(hf: HfTokenizer, source: string, config: Record<string, unknown>, specialIds: Set<number>, opts: TokenizerLoadOptions) {
    this.hf = hf;
    this.source = source;
    const configFile = join(source, "tokenizer_config.json");
    const idOf = (name: string): number | null => {
      const content = tokenContent(config[name]);
      if (content === null) return null;
      const id = hf.token_to_id(content);
      if (id === undefined) throw new TokenizerError(configFile, `${name} '${content}' is not in the vocabulary of tokenizer.json`);
      return id;
    };
    const eos = idOf("eos_token");
    if (eos === null) throw new TokenizerError(configFile, "no eos_token defined (needed to end sequences)");
    this.eosTokenId = eos;
    this.bosTokenId = idOf("bos_token");
    this.unkTokenId = idOf("unk_token");
    const pad = idOf("pad_token");
    this.hasPadToken = pad !== null;
    if (pad !== null) {
      this.padTokenId = pad;
    } else {
      const choice = opts.padToken ?? "eos";
      if (choice === "eos") this.padTokenId = eos;
      else if (typeof choice === "number") {
        if (!Number.isInteger(choice) || hf.id_to_token(choice) === undefined) {
          throw new TokenizerError(configFile, `padToken id ${choice} is not a token id of this tokenizer`);
        }
        this.padTokenId = choice;
      } else {
        const id = hf.token_to_id(choice);
        if (id === undefined) throw new TokenizerError(configFile, `padToken '${choice}' is not in the vocabulary`);
        this.padTokenId = id;
      }
    }
    let maxId = -1;
    for (const id of hf.get_vocab(true).values()) if (id > maxId) maxId = id; // no spread: vocabularies reach 256k ids
    this.vocabSize = maxId + 1;
    this.specialIds = specialIds;

    const tokenizerClass = typeof config.tokenizer_class === "string" ? config.tokenizer_class : "";
    const isLlama = /^(Code)?Llama/.test(tokenizerClass);
    const side = (name: string, fallback: PaddingSide): PaddingSide => {
      const v = config[name];
      if (v === undefined || v === null) return fallback;
      if (v !== "left" && v !== "right") throw new TokenizerError(configFile, `${name} must be "left" or "right", got ${JSON.stringify(v)}`);
      return v;
    };
    // transformers: LlamaTokenizerFast.padding_side = "left" (class attribute); PreTrainedTokenizerBase: "right".
    this.paddingSide = side("padding_side", isLlama ? "left" : "right");
    this.truncationSide = side("truncation_side", "right");
    const mml = config.model_max_length;
    this.modelMaxLength = typeof mml === "number" && mml > 0 && mml < NO_MODEL_MAX_LENGTH ? mml : null;
    this.cleanUpDefault = config.clean_up_tokenization_spaces === true;

    if (isLlama) {
      // LlamaTokenizerFast.update_post_processor(): `<s>`? $A `</s>`? from add_bos_token / add_eos_token.
      const addBos = config.add_bos_token !== false;
      const addEos = config.add_eos_token === true;
      if (addBos && this.bosTokenId === null) throw new TokenizerError(configFile, "add_bos_token is true but no bos_token is defined");
      this.prefixIds = addBos && this.bosTokenId !== null ? [this.bosTokenId] : [];
      this.suffixIds = addEos ? [eos] : [];
    } else {
      // Everything else: the tokenizer.json post-processor. Run it on a one-token marker sequence and read off the
      // special tokens placed before and after it.
      const marker = "\u0000dept-content-marker\u0000";
      const tokens = hf.post_processor === null ? [marker] : hf.post_processor([marker], null, true).tokens;
      const at = tokens.indexOf(marker);
      if (at < 0) throw new TokenizerError(join(source, "tokenizer.json"), "post_processor drops the input sequence");
      const toIds = (list: string[]) =>
        list.map((t) => {
          const id = hf.token_to_id(t);
          if (id === undefined) throw new TokenizerError(join(source, "tokenizer.json"), `post_processor token '${t}' is not in the vocabulary`);
          return id;
        });
      this.prefixIds = toIds(tokens.slice(0, at));
      this.suffixIds = toIds(tokens.slice(at + 1));
    }
  }

  /** Loads tokenizer.json (required), tokenizer_config.json and special_tokens_map.json (optional) from dir. */
  static async fromDir(dir: string, opts: TokenizerLoadOptions = {}): Promise<Tokenizer> {
    const tokenizerFile = join(dir, "tokenizer.json");
    const tokenizerJson = await readJson(tokenizerFile, true);
    const tokenizerConfig = (await readJson(join(dir, "tokenizer_config.json"), false)) ?? {};
    const specialMap = (await readJson(join(dir, "special_tokens_map.json"), false)) ?? {};
    // transformers: from_pretrained reads tokenizer_config.json, then special_tokens_map.json overrides.
    const config: Record<string, unknown> = { ...tokenizerConfig, ...specialMap };
    const additional = Array.isArray(config.additional_special_tokens)
      ? (config.additional_special_tokens as unknown[]).map(tokenContent).filter((t): t is string => t !== null)
      : [];
    config.additional_special_tokens = additional;
    let hf: HfTokenizer;
    try {
      hf = new HfTokenizer(tokenizerJson!, config);
    } catch (error) {
      throw new TokenizerError(tokenizerFile, `not a usable Hugging Face tokenizer file (${(error as Error).message})`);
    }
    // transformers' all_special_ids: special added tokens + the named special tokens + additional_special_tokens.
    const specialIds = new Set<number>();
    for (const [id, token] of hf.get_added_tokens_decoder()) if (token.special) specialIds.add(id);
    for (const name of ["bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token"]) {
      const content = tokenContent(config[name]);
      const id = content === null ? undefined : hf.token_to_id(content);
      if (id !== undefined) specialIds.add(id);
    }
    for (const content of additional) {
      const id = hf.token_to_id(content);
      if (id !== undefined) specialIds.add(id);
    }
    return new Tokenizer(hf, dir, config, specialIds, opts);
  }

  /** Ids of text; with special tokens by default (T5 appends `</s>`, Llama-2 prepends `<s>`). */
  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    const content = this.contentIds(text);
    return opts.addSpecialTokens === false ? content : [...this.prefixIds, ...content, ...this.suffixIds];
  }

  /** Token strings of text without special tokens, as convert_ids_to_tokens(encode(text, no specials)). */
  tokenize(text: string): string[] {
    return this.convertIdsToTokens(this.contentIds(text));
  }

  /** transformers' convert_ids_to_tokens: the vocabulary string of each id. */
  convertIdsToTokens(ids: readonly number[]): string[] {
    return ids.map((id) => {
      const token = this.hf.id_to_token(id);
      if (token === undefined) throw new RangeError(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1}) of ${this.source}`);
      return token;
    });
  }

  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  isSpecialId(id: number): boolean {
    return this.specialIds.has(id);
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    for (const id of ids) {
      if (!Number.isInteger(id) || this.hf.id_to_token(id) === undefined) {
        throw new RangeError(`cannot decode id ${id}: outside the vocabulary (0..${this.vocabSize - 1}) of ${this.source}`);
      }
    }
    const kept = opts.skipSpecialTokens === true ? ids.filter((id) => !this.specialIds.has(id)) : [...ids];
    // The library rejects an empty list; transformers decodes it to "".
    if (kept.length === 0) return "";
    return this.hf.decode(kept, {
      skip_special_tokens: false,
      clean_up_tokenization_spaces: opts.cleanUpTokenizationSpaces ?? this.cleanUpDefault,
    });
  }

  batchDecode(batch: readonly (readonly number[])[], opts: DecodeOptions = {}): string[] {
    return batch.map((ids) => this.decode(ids, opts));
  }

  /**
   * HF `tokenizer(texts, padding=..., max_length=..., truncation=...)` for single sequences. Truncation removes
   * content tokens from `truncationSide` so that content + special tokens fit maxLength (a truncated T5 row keeps
   * maxLength-1 pieces and then `</s>`; a Llama row keeps `<s>` and maxLength-1 pieces). Pads use padTokenId
   * (Llama-2: see TokenizerLoadOptions.padToken) with attention 0, on `paddingSide`.
   */
  batchEncode(texts: readonly string[], opts: BatchEncodeOptions): BatchEncoding {
    const addSpecial = opts.addSpecialTokens !== false;
    const prefix = addSpecial ? this.prefixIds : [];
    const suffix = addSpecial ? this.suffixIds : [];
    const specialCount = prefix.length + suffix.length;
    const maxLength = opts.maxLength ?? (opts.padding === "max_length" || opts.truncation === true ? this.modelMaxLength : null);
    if (maxLength !== null && (!Number.isInteger(maxLength) || maxLength <= 0)) {
      throw new RangeError(`batchEncode: maxLength must be a positive integer, got ${maxLength}`);
    }
    if (maxLength === null && opts.padding === "max_length") {
      throw new RangeError(`batchEncode: padding "max_length" needs maxLength (${this.source} has no model_max_length)`);
    }
    const truncate = opts.truncation ?? maxLength !== null;
    if (truncate && maxLength === null) {
      throw new RangeError(`batchEncode: truncation needs maxLength (${this.source} has no model_max_length)`);
    }
    if (truncate && maxLength !== null && maxLength < specialCount) {
      throw new RangeError(`batchEncode: maxLength ${maxLength} cannot hold the ${specialCount} special token(s) of ${this.source}`);
    }
    const truncationSide = opts.truncationSide ?? this.truncationSide;
    const rows = texts.map((text, i) => {
      let content = this.contentIds(text);
      if (truncate && maxLength !== null && content.length + specialCount > maxLength) {
        const keep = maxLength - specialCount;
        content = truncationSide === "right" ? content.slice(0, keep) : content.slice(content.length - keep);
      }
      const ids = [...prefix, ...content, ...suffix];
      if (opts.padding === "max_length" && maxLength !== null && ids.length > maxLength) {
        // transformers would return a ragged batch here; a tensor cannot hold one.
        throw new RangeError(`batchEncode: text ${i} has ${ids.length} tokens > maxLength ${maxLength} and truncation is off`);
      }
      return ids;
    });
    const width = opts.padding === "max_length" && maxLength !== null ? maxLength : Math.max(0, ...rows.map((r) => r.length));
    const side = opts.paddingSide ?? this.paddingSide;
    const inputIds: number[][] = [];
    const attentionMask: number[][] = [];
    for (const ids of rows) {
      const pads = new Array<number>(width - ids.length).fill(this.padTokenId);
      const zeros = new Array<number>(width - ids.length).fill(0);
      const ones = new Array<number>(ids.length).fill(1);
      inputIds.push(side === "right" ? [...ids, ...pads] : [...pads, ...ids]);
      attentionMask.push(side === "right" ? [...ones, ...zeros] : [...zeros, ...ones]);
    }
    return { inputIds, attentionMask };
  }

  private contentIds(text: string): number[] {
    return this.hf.encode(text, { add_special_tokens: false }).ids;
  }
}
