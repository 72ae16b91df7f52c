// Seeded random T5 checkpoints for benchmarks (packages/models/bench/forward.ts, packages/peft/bench/dept-vs-pt.ts):
// HF key names as modelFromCheckpoint reads them, N(0, 0.05) matrices (one tf seed per tensor: seed + index),
// ones for the RMSNorm weights. Timing-only: bench/backends.ts uses its own fan-in-scaled init for loss values.
import * as tf from "@tensorflow/tfjs";
import type { CheckpointTensor } from "../src/index.ts";

/** The config.json fields the checkpoint's shapes depend on (HF snake_case, relu T5). */
export interface RandomT5Shape {
  vocab_size: number;
  d_model: number;
  d_kv: number;
  d_ff: number;
  num_heads: number;
  num_layers: number;
  num_decoder_layers: number;
  relative_attention_num_buckets: number;
}

export function randomT5Checkpoint(c: RandomT5Shape, seed: number): Map<string, CheckpointTensor> {
  const inner = c.num_heads * c.d_kv;
  const shapes: [string, number[]][] = [["shared.weight", [c.vocab_size, c.d_model]]];
  for (const stack of ["encoder", "decoder"] as const) {
    const n = stack === "encoder" ? c.num_layers : c.num_decoder_layers;
    shapes.push([`${stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight`, [c.relative_attention_num_buckets, c.num_heads]]);
    shapes.push([`${stack}.final_layer_norm.weight`, [c.d_model]]);
    for (let i = 0; i < n; i++) {
      const attns = stack === "encoder" ? ["layer.0.SelfAttention"] : ["layer.0.SelfAttention", "layer.1.EncDecAttention"];
      for (const a of attns) {
        for (const p of ["q", "k", "v"]) shapes.push([`${stack}.block.${i}.${a}.${p}.weight`, [inner, c.d_model]]);
        shapes.push([`${stack}.block.${i}.${a}.o.weight`, [c.d_model, inner]]);
      }
      const ff = attns.length;
      for (let l = 0; l <= ff; l++) shapes.push([`${stack}.block.${i}.layer.${l}.layer_norm.weight`, [c.d_model]]);
      shapes.push([`${stack}.block.${i}.layer.${ff}.DenseReluDense.wi.weight`, [c.d_ff, c.d_model]]);
      shapes.push([`${stack}.block.${i}.layer.${ff}.DenseReluDense.wo.weight`, [c.d_model, c.d_ff]]);
    }
  }
  const out = new Map<string, CheckpointTensor>();
  shapes.forEach(([name, shape], k) => {
    const data = shape.length === 1 ? new Float32Array(shape[0]!).fill(1) : tf.tidy(() => tf.randomNormal(shape, 0, 0.05, "float32", seed + k).dataSync() as Float32Array);
    out.set(name, { dtype: "F32", shape, data });
  });
  return out;
}
