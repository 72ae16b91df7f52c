// LoRA on the frozen linears of T5 / Llama (upstream peft 0.21 peft/tuners/lora/model.py + layer.py Linear):
// y = x W^T + scaling * B(A(dropout(x))), scaling = lora_alpha / r (alpha / sqrt r with use_rslora), no bias.
// Targets follow peft's `check_target_module_exists`: a list matches the module path exactly or by its last
// dotted component(s); a string is a full-match regex. For T5, "q"/"v" also hit the decoder cross-attention
// (EncDecAttention.q/v) — golden README gotcha 7.
// The branch lives on @dept/models' Linear (`lora` field: a = A^T [in, r], b = B^T [r, out]); merge folds
// scaling * a @ b into both w [in, out] and wT [out, in] and keeps the originals so unmerge is exact.
import * as tf from "@tensorflow/tfjs";
import { generate, llamaForward, namedLinears, t5Forward, type ForwardOptions, type Linear, type LoadedModel } from "@dept/models";
import { SeededRandom } from "@dept/runtime";
import { describeValue, PeftConfigError, PeftUsageError } from "../../errors.ts";
import { checkBatch, countModelParams, expectedTaskType, type PeftBatch, type PeftForwardOutput, type PeftGenerateOptions, type PeftModel } from "../../peft-model.ts";
import { DEFAULT_LORA_TARGETS, loraScaling, type LoraConfig } from "./config.ts";
import { assignFrom, refuseUnexpected, takeFloat, variableRecord } from "../../io/state.ts";
import type { RawTensor } from "../../io/tensor.ts";

/** peft's saved key of a LoRA weight: base_model.model.<module path>.lora_A.weight ([r, in]) / lora_B ([out, r]). */
export function loraKey(path: string, which: "A" | "B"): string {
  return `base_model.model.${path}.lora_${which}.weight`;
}

/** peft check_target_module_exists for a list or a regex string. */
export function matchesTarget(path: string, targets: readonly string[] | string): boolean {
  if (typeof targets === "string") return new RegExp(`^(?:${targets})$`).test(path);
  return targets.some((t) => path === t || path.endsWith(`.${t}`));
}

interface LoraTarget {
  path: string;
  linear: Linear;
  a: tf.Variable<tf.Rank.R2>; // [in, r]
  b: tf.Variable<tf.Rank.R2>; // [r, out]
  /** The frozen weights while merged. */
  original?: { w: tf.Tensor2D; wT: tf.Tensor2D };
}

export class LoraModel implements PeftModel {
  readonly trainable = new Map<string, tf.Variable>();
  readonly scaling: number;
  private merged = false;
  private disposed = false;

  constructor(
    readonly model: LoadedModel,
    readonly config: LoraConfig,
    readonly targets: readonly LoraTarget[],
  ) {
    this.scaling = loraScaling(config);
    for (const t of targets) {
      this.trainable.set(loraKey(t.path, "A"), t.a);
      this.trainable.set(loraKey(t.path, "B"), t.b);
      t.linear.lora = { a: t.a, b: t.b, scaling: this.scaling, dropout: config.loraDropout };
    }
  }

  get isMerged(): boolean {
    return this.merged;
  }

  forward(batch: PeftBatch, opts?: ForwardOptions): PeftForwardOutput {
    checkBatch(batch, "LoRA");
    const { inputIds, attentionMask, labels } = batch;
    if (this.model.kind === "t5") {
      return t5Forward(this.model, { inputIds, attentionMask, labels, decoderInputIds: batch.decoderInputIds }, opts);
    }
    if (batch.decoderInputIds !== undefined) throw new PeftUsageError("decoderInputIds are only meaningful for T5 (SEQ_2_SEQ_LM)");
    return llamaForward(this.model, { inputIds, attentionMask, labels }, opts);
  }

  generate(batch: Pick<PeftBatch, "inputIds" | "attentionMask">, opts: PeftGenerateOptions): Promise<number[][]> {
    checkBatch(batch, "LoRA");
    return generate(this.model, { inputIds: batch.inputIds, attentionMask: batch.attentionMask }, opts);
  }

  /** Folds scaling * A^T B^T into the frozen weights (peft merge_adapter); the branch is detached while merged. */
  merge(): void {
    if (this.merged) return;
    for (const t of this.targets) {
      const [w, wT] = tf.tidy(() => {
        const w2 = tf.add<tf.Tensor2D>(t.linear.w, tf.mul(tf.matMul(t.a, t.b), this.scaling));
        return [w2, tf.transpose(w2)];
      });
      t.original = { w: t.linear.w, wT: t.linear.wT };
      t.linear.w = w;
      t.linear.wT = wT;
      delete t.linear.lora;
    }
    this.merged = true;
  }

  /** Restores the exact frozen weights and re-attaches the branches (peft unmerge_adapter, but bit-exact). */
  unmerge(): void {
    if (!this.merged) return;
    for (const t of this.targets) {
      const original = t.original;
      if (original === undefined) continue;
      t.linear.w.dispose();
      t.linear.wT.dispose();
      t.linear.w = original.w;
      t.linear.wT = original.wT;
      delete t.original;
      t.linear.lora = { a: t.a, b: t.b, scaling: this.scaling, dropout: this.config.loraDropout };
    }
    this.merged = false;
  }

  /** peft merge_and_unload: merges, frees the originals and the adapter; returns the plain model. */
  mergeAndUnload(): LoadedModel {
    this.merge();
    for (const t of this.targets) {
      t.original?.w.dispose();
      t.original?.wT.dispose();
      delete t.original;
    }
    for (const v of this.trainable.values()) v.dispose();
    this.trainable.clear();
    this.disposed = true;
    return this.model;
  }

  parameterCounts(): { trainable: number; all: number } {
    let trainable = 0;
    for (const v of this.trainable.values()) trainable += v.size;
    return { trainable, all: countModelParams(this.model) + trainable };
  }

  dispose(): void {
    if (this.disposed) return;
    this.unmerge();
    for (const t of this.targets) delete t.linear.lora;
    for (const v of this.trainable.values()) v.dispose();
    this.disposed = true;
  }
}

/** A^T [in, r]: torch's kaiming_uniform_(a=sqrt 5) on A [r, in] has fan_in = in, so U(+-1/sqrt(in)). */
export function initLoraA(inDim: number, r: number, rng: SeededRandom): tf.Tensor2D {
  const bound = 1 / Math.sqrt(inDim);
  return tf.tidy(() => tf.transpose(tf.tensor2d(rng.uniformArray(r * inDim, -bound, bound), [r, inDim])));
}

/** Attaches fresh LoRA branches to the targeted linears. */
export function createLoraModel(model: LoadedModel, config: LoraConfig, opts: { seed: number }, source = "LoraConfig"): LoraModel {
  if (config.taskType !== expectedTaskType(model)) {
    throw new PeftConfigError(source, "task_type", `got ${describeValue(config.taskType)}; a ${model.kind} model needs "${expectedTaskType(model)}"`);
  }
  // peft _prepare_adapter_config: a missing target_modules becomes the model type's default (and is saved so).
  config.targetModules ??= [...DEFAULT_LORA_TARGETS[model.kind]];
  const targetsSpec = config.targetModules;
  const linears = [...namedLinears(model)].filter(([path]) => matchesTarget(path, targetsSpec));
  if (linears.length === 0) {
    throw new PeftConfigError(source, "target_modules", `${describeValue(targetsSpec)} matches no linear layer of the ${model.kind} model`);
  }
  for (const [path, lin] of linears) {
    if (lin.lora !== undefined) throw new PeftUsageError(`LoRA: ${path} already carries a LoRA branch (dispose the other PeftModel first)`);
  }
  const rng = new SeededRandom(opts.seed);
  const r = config.r;
  const targets: LoraTarget[] = linears.map(([path, linear]) => {
    const [inDim, outDim] = linear.w.shape;
    const [a, b] = tf.tidy(() => {
      const a0 = initLoraA(inDim, r, rng);
      // init_lora_weights=True: B = 0 (the adapter starts as a no-op); False: nn.Linear default on B [out, r].
      const b0 = config.initLoraWeights ? tf.zeros<tf.Rank.R2>([r, outDim]) : initLoraA(r, outDim, rng);
      return [tf.variable(a0), tf.variable(b0)];
    });
    return { path, linear, a: a, b: b };
  });
  return new LoraModel(model, config, targets);
}

/** peft's LoRA state dict: lora_A.weight = A [r, in] (= a^T), lora_B.weight = B [out, r] (= b^T). */
export function loraStateDict(pm: LoraModel): Map<string, RawTensor> {
  const out = new Map<string, RawTensor>();
  for (const t of pm.targets) {
    out.set(loraKey(t.path, "A"), variableRecord(t.a, true));
    out.set(loraKey(t.path, "B"), variableRecord(t.b, true));
  }
  return out;
}

export function loadLoraState(pm: LoraModel, tensors: ReadonlyMap<string, RawTensor>, file: string): void {
  const r = pm.config.r;
  refuseUnexpected(tensors, new Set(pm.trainable.keys()), file);
  const updates: Array<[tf.Variable, Float32Array, number[]]> = [];
  for (const t of pm.targets) {
    const [inDim, outDim] = t.linear.w.shape;
    updates.push([t.a, takeFloat(tensors, loraKey(t.path, "A"), [r, inDim], file, `r = ${r}, in_features = ${inDim}`), [r, inDim]]);
    updates.push([t.b, takeFloat(tensors, loraKey(t.path, "B"), [outDim, r], file, `out_features = ${outDim}, r = ${r}`), [outDim, r]]);
  }
  for (const [v, data, shape] of updates) assignFrom(v, data, shape, true);
}
