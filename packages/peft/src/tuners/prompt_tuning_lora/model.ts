// DePT on a frozen T5 / Llama (the DePT fork: peft/tuners/prompt_tuning_lora.py PromptEmbeddingLoRA, and the
// PROMPT_TUNING_LORA branches of peft/peft_model.py; spec §1):
//   E = embed(ids) + scaling * (A @ B)   ids padded to EXACTLY s = max_length; row i of A@B goes to position i,
//                                        pads included, same for every example (broadcast over the batch)
//   X = [P; E], mask = [1^m; mask]      prompt first, no A@B on prompt rows; T5: encoder only
//   scaling = lora_alpha / sqrt(r)      P [m, d] (TEXT init), A [s, r] ~ U(+-1/sqrt r), B [r, d] = 0
import * as tf from "@tensorflow/tfjs";
import { embed, type ForwardOptions, type LoadedModel } from "@dept/models";
import { SeededRandom } from "@dept/runtime";
import { AdapterLoadError, PeftUsageError } from "../../errors.ts";
import { assignFrom, refuseUnexpected, takeFloat, variableRecord } from "../../io/state.ts";
import type { RawTensor } from "../../io/tensor.ts";
import { checkBatch, countModelParams, modelDim, type InitTokenizer, type PeftBatch, type PeftForwardOutput, type PeftGenerateOptions, type PeftModel } from "../../peft-model.ts";
import { forwardWithPrompt, generateWithPrompt, initPrompt, preparePromptConfig, prependPrompt } from "../prompt_common.ts";
import { deptScaling, type PromptTuningLoRAConfig } from "./config.ts";

/** Saved tensor names (the fork's get_peft_model_state_dict with ".default" removed). */
export const DEPT_KEYS = {
  prompt: "prompt_embeddings",
  a: "prompt_encoder.lora_embedding_A",
  b: "prompt_encoder.lora_embedding_B",
} as const;

/** A [s, r] ~ kaiming_uniform_(a=sqrt 5): fan_in of a 2-D (s, r) tensor is r, so the bound is 1/sqrt(r). */
export function initDeptA(s: number, r: number, rng: SeededRandom): Float32Array {
  const bound = r === 0 ? 0 : 1 / Math.sqrt(r);
  return rng.uniformArray(s * r, -bound, bound);
}

export class DeptModel implements PeftModel {
  readonly trainable: Map<string, tf.Variable>;
  readonly scaling: number;

  constructor(
    readonly model: LoadedModel,
    readonly config: PromptTuningLoRAConfig,
    readonly prompt: tf.Variable<tf.Rank.R2>,
    readonly loraA: tf.Variable<tf.Rank.R2>,
    readonly loraB: tf.Variable<tf.Rank.R2>,
  ) {
    this.trainable = new Map<string, tf.Variable>([
      [DEPT_KEYS.prompt, prompt],
      [DEPT_KEYS.a, loraA],
      [DEPT_KEYS.b, loraB],
    ]);
    this.scaling = deptScaling(config);
  }

  /** E + scaling * (A @ B): [B, s, d]; the input must be exactly s long. */
  offsetEmbeds(batch: Pick<PeftBatch, "inputIds" | "attentionMask">): tf.Tensor3D {
    const [, len] = checkBatch(batch, "DePT");
    const s = this.config.maxLength;
    if (len !== s) {
      throw new PeftUsageError(
        `DePT: inputIds have length ${len}; expected exactly max_length = ${s} (pad/truncate every example to s: A has one row per position)`,
      );
    }
    const e = embed(this.model, batch.inputIds);
    const offset = tf.mul(tf.matMul(this.loraA, this.loraB), this.scaling); // [s, d], same for every example
    return tf.add(e, tf.expandDims(offset, 0));
  }

  /** [B, m + s, d] inputs_embeds and [B, m + s] mask, exactly as the fork builds them. */
  buildInputs(batch: Pick<PeftBatch, "inputIds" | "attentionMask">): [tf.Tensor3D, tf.Tensor2D] {
    return prependPrompt(this.prompt, this.offsetEmbeds(batch), batch.attentionMask);
  }

  forward(batch: PeftBatch, opts?: ForwardOptions): PeftForwardOutput {
    return forwardWithPrompt(this.model, this.prompt, this.offsetEmbeds(batch), batch, opts);
  }

  generate(batch: Pick<PeftBatch, "inputIds" | "attentionMask">, opts: PeftGenerateOptions): Promise<number[][]> {
    return generateWithPrompt(this.model, () => this.buildInputs(batch), opts);
  }

  parameterCounts(): { trainable: number; all: number } {
    const trainable = this.prompt.size + this.loraA.size + this.loraB.size;
    return { trainable, all: countModelParams(this.model) + trainable };
  }

  dispose(): void {
    for (const v of this.trainable.values()) v.dispose();
  }
}

export interface DeptInitOptions {
  seed: number;
  tokenizer?: InitTokenizer;
  /** Internal: parameters about to be overwritten from a file (P is not initialised from the text). */
  forLoad?: boolean;
}

/** Fresh DePT parameters: P from the config's init, A uniform (or zeros when init_lora_weights is false), B = 0. */
export function createDeptModel(model: LoadedModel, config: PromptTuningLoRAConfig, opts: DeptInitOptions, source = "PromptTuningLoRAConfig"): DeptModel {
  preparePromptConfig(config, model, source);
  const d = modelDim(model);
  const m = config.numVirtualTokens * config.numTransformerSubmodules;
  const rng = new SeededRandom(opts.seed);
  const { r, maxLength: s } = config;
  const [p, a, b] = tf.tidy(() => {
    const p0 = initPrompt(model, m, config.promptTuningInit, config.promptTuningInitText, rng, opts.tokenizer, opts.forLoad === true);
    // torch.zeros then kaiming_uniform_ (init_lora_weights=True); B stays zeros, so A@B = 0 at step 0.
    const a0 = config.initLoraWeights ? tf.tensor2d(initDeptA(s, r, rng), [s, r]) : tf.zeros<tf.Rank.R2>([s, r]);
    const b0 = tf.zeros<tf.Rank.R2>([r, d]);
    return [tf.variable(p0), tf.variable(a0), tf.variable(b0)];
  });
  return new DeptModel(model, config, p, a, b);
}

/** The tensors the fork saves: P always, A and B when save_lora_embeddings (the default). */
export function deptStateDict(pm: DeptModel): Map<string, RawTensor> {
  const out = new Map<string, RawTensor>([[DEPT_KEYS.prompt, variableRecord(pm.prompt)]]);
  if (pm.config.saveLoraEmbeddings) {
    out.set(DEPT_KEYS.a, variableRecord(pm.loraA));
    out.set(DEPT_KEYS.b, variableRecord(pm.loraB));
  }
  return out;
}

export interface DeptLoadOptions {
  /**
   * Load an adapter that holds only `prompt_embeddings` although its config names r > 0 (the released hotpotqa,
   * nq and superglue-wic checkpoints): A keeps its seeded init and B stays 0, so A@B = 0 (no embedding update),
   * as the fork does with load_lora_embeddings=False. Without it such a file is an error.
   */
  allowPromptOnly?: boolean;
}

/** Sets P, then A, then B (B only with load_lora_embedding_B), as the fork's set_peft_model_state_dict. */
export function loadDeptState(pm: DeptModel, tensors: ReadonlyMap<string, RawTensor>, file: string, opts: DeptLoadOptions = {}): void {
  const c = pm.config;
  const [m, d] = pm.prompt.shape;
  const { r, maxLength: s } = c;
  refuseUnexpected(tensors, new Set(Object.values(DEPT_KEYS)), file);
  const p = takeFloat(tensors, DEPT_KEYS.prompt, [m, d], file, `num_virtual_tokens = ${c.numVirtualTokens}, d_model = ${d}`);
  if (c.loadLoraEmbeddings) {
    const missing = [DEPT_KEYS.a, DEPT_KEYS.b].filter((k) => !tensors.has(k));
    if (missing.length > 0 && opts.allowPromptOnly !== true) {
      throw new AdapterLoadError(
        file,
        `the config is PROMPT_TUNING_LORA with r = ${r} but tensor(s) ${missing.map((k) => `'${k}'`).join(" and ")} are missing ` +
          "(this adapter holds only the prompt); pass allowPromptOnly: true to load the prompt alone (A@B = 0)",
      );
    }
    if (missing.length === 0) {
      const a = takeFloat(tensors, DEPT_KEYS.a, [s, r], file, `max_length = ${s} rows, r = ${r}`);
      const b = takeFloat(tensors, DEPT_KEYS.b, [r, d], file, `r = ${r}, d_model = ${d}`);
      assignFrom(pm.loraA, a, [s, r]);
      if (c.loadLoraEmbeddingB) assignFrom(pm.loraB, b, [r, d]);
    }
  }
  assignFrom(pm.prompt, p, [m, d]);
}
