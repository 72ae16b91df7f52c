// A tiny RANDOM Llama written into a temp dir at test time: config.json + seeded model.safetensors with the HF key
// names @dept/models' Llama map reads, plus the real Llama-2 tokenizer copied from @dept/models' test fixtures
// (so no model file is committed). Used by this package's and @dept/experiments' decoder-only tests.
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SeededRandom, writeSafetensors, type SafetensorsTensor } from "@dept/runtime";

const LLAMA_TOKENIZER_DIR = fileURLToPath(new URL("../../../models/test/fixtures/tokenizers/llama/", import.meta.url));

/** Tiny Llama shape; vocab 32000 so the real Llama-2 tokenizer's ids index the embedding. */
const CFG = {
  model_type: "llama",
  architectures: ["LlamaForCausalLM"],
  vocab_size: 32000,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  rope_theta: 10000,
  rms_norm_eps: 1e-6,
  max_position_embeddings: 256,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: "silu",
};

/** Writes the random Llama + tokenizer into a fresh temp dir (weights N(0, 0.02), norms 1, like HF's init). */
export async function buildTinyLlama(seed: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "dept-tiny-llama-"));
  writeFileSync(join(dir, "config.json"), JSON.stringify(CFG, null, 2));
  for (const f of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) copyFileSync(join(LLAMA_TOKENIZER_DIR, f), join(dir, f));
  const rng = new SeededRandom(seed);
  const d = CFG.hidden_size;
  const headDim = d / CFG.num_attention_heads;
  const kv = CFG.num_key_value_heads * headDim;
  const tensors = new Map<string, SafetensorsTensor>();
  const mat = (name: string, rows: number, cols: number) => tensors.set(name, { dtype: "F32", shape: [rows, cols], data: rng.normalArray(rows * cols, 0, 0.02) });
  const ones = (name: string, n: number) => tensors.set(name, { dtype: "F32", shape: [n], data: new Float32Array(n).fill(1) });
  mat("model.embed_tokens.weight", CFG.vocab_size, d);
  for (let i = 0; i < CFG.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    mat(`${p}.self_attn.q_proj.weight`, d, d);
    mat(`${p}.self_attn.k_proj.weight`, kv, d);
    mat(`${p}.self_attn.v_proj.weight`, kv, d);
    mat(`${p}.self_attn.o_proj.weight`, d, d);
    mat(`${p}.mlp.gate_proj.weight`, CFG.intermediate_size, d);
    mat(`${p}.mlp.up_proj.weight`, CFG.intermediate_size, d);
    mat(`${p}.mlp.down_proj.weight`, d, CFG.intermediate_size);
    ones(`${p}.input_layernorm.weight`, d);
    ones(`${p}.post_attention_layernorm.weight`, d);
  }
  ones("model.norm.weight", d);
  mat("lm_head.weight", CFG.vocab_size, d);
  await writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
  return dir;
}
