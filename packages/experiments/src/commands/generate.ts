// `dept generate`: greedy generation with a model folder or hub id (config.json + safetensors + tokenizer.json).
// Prints one JSON line per --input: {"input", "ids", "text"}; ids are the generated ids (T5: without the decoder
// start token; Llama: without the prompt; after EOS a row holds pad ids, as HF `generate` returns them) and text is
// decode(ids, skip_special_tokens). Follows the DePT reference's evaluation: num_beams 1, no sampling (spec §5).
// --peft_model_id DIR applies a peft adapter folder (DePT / prompt tuning / LoRA, @dept/peft loadAdapter); a DePT
// adapter pads/truncates every input to exactly its max_length (s), as the reference's eval does.
import * as tf from "@tensorflow/tfjs";
import { disposeModel, generate, loadModel, resolveModelDir, Tokenizer } from "@dept/models";
import { loadAdapter, type PeftModel } from "@dept/peft";
import { initBackend } from "@dept/runtime";
import { bool, list, num, optStr, str, UsageError } from "../args.ts";
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
    { name: "peft_model_id", type: "string", help: "peft adapter folder (adapter_config.json + adapter_model.safetensors or .bin): DePT, prompt tuning or LoRA" },
    { name: "allow_prompt_only", type: "boolean", help: "DePT: load an adapter that holds only prompt_embeddings although its config names r (A@B = 0)" },
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
    let peft: PeftModel | undefined;
    try {
      const peftDir = optStr(options, "peft_model_id");
      if (peftDir !== undefined) {
        peft = await loadAdapter(model, peftDir, { allowPromptOnly: bool(options, "allow_prompt_only") });
        io.stderr(`dept generate: adapter ${peftDir} (${peft.config.peftType})`);
      }
      const inputs = list(options, "input");
      // T5 pads on the right (encoder masks keys); Llama generation needs a left-padded batch.
      const paddingSide = model.kind === "llama" ? "left" : "right";
      // DePT's A has one row per position: inputs are padded/truncated to exactly s = max_length.
      const s = peft?.config.peftType === "PROMPT_TUNING_LORA" ? peft.config.maxLength : undefined;
      const enc = tokenizer.batchEncode(
        inputs,
        s === undefined ? { padding: "longest", paddingSide } : { padding: "max_length", maxLength: s, truncation: true, paddingSide },
      );
      const inputIds = tf.tensor2d(enc.inputIds, undefined, "int32");
      const attentionMask = tf.tensor2d(enc.attentionMask, undefined, "int32");
      let rows: number[][];
      try {
        rows = peft !== undefined
          ? await peft.generate({ inputIds, attentionMask }, { maxNewTokens })
          : await generate(model, { inputIds, attentionMask }, { maxNewTokens });
      } finally {
        tf.dispose([inputIds, attentionMask]);
      }
      inputs.forEach((input, i) => {
        const ids = rows[i]!;
        io.stdout(JSON.stringify({ input, ids, text: tokenizer.decode(ids, { skipSpecialTokens: true }) }));
      });
    } finally {
      peft?.dispose();
      disposeModel(model);
    }
    return 0;
  },
};
