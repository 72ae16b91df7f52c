// `dept tokenize`: prints, for each --text, one JSON line {"text", "ids", "tokens"} using the tokenizer in
// --model_name_or_path (tokenizer.json + tokenizer_config.json + special_tokens_map.json). ids carry the special
// tokens HF adds by default (T5: trailing </s>; Llama-2: leading <s>); tokens are convert_ids_to_tokens(ids).
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer } from "@dept/models";
import { list, str } from "../args.ts";
import { InputError, type Command } from "../command.ts";

export const tokenizeCommand: Command = {
  name: "tokenize",
  summary: "encode texts with a model folder's tokenizer (one JSON line per text)",
  options: [
    { name: "model_name_or_path", type: "string", help: "folder with tokenizer.json (and tokenizer_config.json)", required: true },
    { name: "text", type: "string[]", help: "text to encode (repeatable)", required: true },
    { name: "add_special_tokens", type: "boolean", help: "add the tokenizer's special tokens", default: true },
  ],
  async run(options, io) {
    const dir = str(options, "model_name_or_path");
    const info = await stat(dir).catch(() => null);
    if (info === null || !info.isDirectory()) {
      throw new InputError(`dept tokenize: --model_name_or_path ${dir} is not a directory (expected a folder with tokenizer.json)`);
    }
    const tokenizerFile = join(dir, "tokenizer.json");
    if ((await stat(tokenizerFile).catch(() => null)) === null) {
      throw new InputError(`dept tokenize: ${tokenizerFile} not found (--model_name_or_path must hold a Hugging Face tokenizer.json)`);
    }
    const tokenizer = await Tokenizer.fromDir(dir);
    const addSpecialTokens = options.add_special_tokens !== false;
    for (const text of list(options, "text")) {
      const ids = tokenizer.encode(text, { addSpecialTokens });
      io.stdout(JSON.stringify({ text, ids, tokens: tokenizer.convertIdsToTokens(ids) }));
    }
    return 0;
  },
};
