// `dept generate`: greedy generation with a model folder or hub id (config.json + safetensors + tokenizer.json).
// Prints one JSON line per --input: {"input", "ids", "text"}; ids are the generated ids (T5: without the decoder
// start token; Llama: without the prompt; after EOS a row holds pad ids, as HF `generate` returns them) and text is
// decode(ids, skip_special_tokens). Follows the DePT reference's evaluation: num_beams 1, no sampling (spec §5).
import * as tf from "@tensorflow/tfjs";
import { disposeModel, generate, loadModel, resolveModelDir, Tokenizer } from "@dept/models";
import { initBackend } from "@dept/runtime";
import { list, num, optStr, str, UsageError } from "../args.ts";
import type { Command } from "../command.ts";

export const generateCommand: Command = {
  name: "generate",
  summary: "greedy generation with a T5 / Llama model folder or hub id (one JSON line per input)",
  options: [
    { name: "model_name_or_path", type: "string", help: "model folder (config.json, model.safetensors, tokenizer.json) or hub id", required: true },
    { name: "input", type: "string[]", help: "input text (repeatable; all inputs form one batch)", required: true },
    // DePT's eval: generation_max_length 20 (spec §5).
    { name: "max_new_tokens", type: "number", help: "maximum number of generated tokens", default: 20 },
    { name: "backend", type: "string", help: "tfjs backend: wasm, cpu, tensorflow, webgpu (default $DEPT_BACKEND or wasm)" },
  ],
  async run(options, io) {
    const maxNewTokens = num(options, "max_new_tokens");
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
      throw new UsageError(`dept generate: --max_new_tokens expects a positive integer, got ${maxNewTokens}`);
    }
    const info = await initBackend(optStr(options, "backend"));
    io.stderr(`dept generate: backend ${info.backend} (${info.detail})`);
    const dir = await resolveModelDir(str(options, "model_name_or_path"));
    const tokenizer = await Tokenizer.fromDir(dir);
    const model = await loadModel(dir);
    try {
      const inputs = list(options, "input");
      // T5 pads on the right (encoder masks keys); Llama generation needs a left-padded batch.
      const enc = tokenizer.batchEncode(inputs, { padding: "longest", paddingSide: model.kind === "llama" ? "left" : "right" });
      const inputIds = tf.tensor2d(enc.inputIds, undefined, "int32");
      const attentionMask = tf.tensor2d(enc.attentionMask, undefined, "int32");
      let rows: number[][];
      try {
        rows = await generate(model, { inputIds, attentionMask }, { maxNewTokens });
      } finally {
        tf.dispose([inputIds, attentionMask]);
      }
      inputs.forEach((input, i) => {
        const ids = rows[i]!;
        io.stdout(JSON.stringify({ input, ids, text: tokenizer.decode(ids, { skipSpecialTokens: true }) }));
      });
    } finally {
      disposeModel(model);
    }
    return 0;
  },
};
