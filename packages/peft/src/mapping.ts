// getPeftModel (peft/mapping.py get_peft_model): wraps a frozen LoadedModel with a fresh adapter of the config's type.
import type { LoadedModel } from "@dept/models";
import type { InitTokenizer, PeftModel } from "./peft-model.ts";
import { tunerFor, type PeftConfig } from "./tuners/registry.ts";

export interface GetPeftModelOptions {
  /** Seed of every random draw of the initialisation (SeededRandom). */
  seed: number;
  /** Needed for prompt_tuning_init "TEXT" (the init text's ids, EOS appended). */
  tokenizer?: InitTokenizer;
}

/**
 * A PeftModel around `model`. The config object is completed in place from the model (token_dim, num_layers,
 * num_attention_heads), as peft does. LoRA attaches branches to the model's linears: one LoRA PeftModel per model
 * at a time (dispose() detaches it).
 */
export function getPeftModel(model: LoadedModel, config: PeftConfig, opts: GetPeftModelOptions): PeftModel {
  if (!Number.isInteger(opts.seed)) throw new TypeError(`getPeftModel: seed must be an integer, got ${opts.seed}`);
  return tunerFor(config.peftType, config.peftType).create(model, config, opts);
}
