// loadModel: folder and hub-cache resolution, config parsing defaults, and the ModelLoadError cases (missing /
// extra / mis-shaped keys, missing dir, bad JSON, unknown model_type, pickle-only folder, uncached hub id offline).
import * as tf from "@tensorflow/tfjs";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSafetensors, writeSafetensors } from "@dept/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeModel, loadModel, ModelLoadError, parseModelConfig, type LoadedModel } from "../src/index.ts";
import { modelDir } from "./helpers/golden.ts";
import { useTestBackend } from "./helpers/backend.ts";

let tmp: string;
beforeAll(async () => {
  await useTestBackend();
  tmp = mkdtempSync(join(tmpdir(), "dept-models-load-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of a fixture model folder whose tensors went through `edit`. */
async function editedModel(name: string, edit: (t: Map<string, { dtype: "F32"; shape: number[]; data: Float32Array }>) => void): Promise<string> {
  const dir = mkdtempSync(join(tmp, `${name}-`));
  copyFileSync(join(modelDir(name), "config.json"), join(dir, "config.json"));
  const file = await readSafetensors(join(modelDir(name), "model.safetensors"));
  const tensors = new Map([...file.tensors].map(([k, v]) => [k, { dtype: "F32" as const, shape: v.shape, data: v.data as Float32Array }]));
  edit(tensors);
  await writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
  return dir;
}

async function loadError(arg: string, env?: NodeJS.ProcessEnv): Promise<ModelLoadError> {
  try {
    const m = await loadModel(arg, env !== undefined ? { env } : {});
    disposeModel(m);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).exitCode).toBe(2);
    return error as ModelLoadError;
  }
  throw new Error(`loadModel(${arg}) did not fail`);
}

describe("loadModel", () => {
  it("loads each fixture folder with the right kind and leaves no stray tensors after dispose", async () => {
    const before = tf.memory().numTensors;
    for (const [name, kind] of [["t5-tiny", "t5"], ["t5-tiny-gated", "t5"], ["llama-tiny", "llama"]] as const) {
      const m: LoadedModel = await loadModel(modelDir(name));
      expect(m.kind).toBe(kind);
      disposeModel(m);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("parses configs with transformers defaults (T5 without tie_word_embeddings is tied; gated-gelu is gelu_new)", () => {
    const t5 = parseModelConfig(JSON.parse(readFileSync(join(modelDir("t5-tiny"), "config.json"), "utf8")), "t5-tiny/config.json");
    expect(t5).toMatchObject({ modelType: "t5", tieWordEmbeddings: true, isGatedAct: false, denseActFn: "relu", dModel: 32 });
    const gated = parseModelConfig(JSON.parse(readFileSync(join(modelDir("t5-tiny-gated"), "config.json"), "utf8")), "gated/config.json");
    expect(gated).toMatchObject({ tieWordEmbeddings: false, isGatedAct: true, denseActFn: "gelu_new" });
    const llama = parseModelConfig(JSON.parse(readFileSync(join(modelDir("llama-tiny"), "config.json"), "utf8")), "llama/config.json");
    expect(llama).toMatchObject({ modelType: "llama", numKeyValueHeads: 2, numAttentionHeads: 4, headDim: 8, ropeTheta: 10000, rmsNormEps: 1e-6 });
    expect(() => parseModelConfig({ model_type: "t5", feed_forward_proj: "gated-gelu-x" }, "c.json")).toThrow(/feed_forward_proj/);
  });

  it("missing key -> ModelLoadError listing it", async () => {
    const dir = await editedModel("llama-tiny", (t) => t.delete("model.layers.1.mlp.up_proj.weight"));
    const e = await loadError(dir);
    expect(e.message).toContain("missing keys: model.layers.1.mlp.up_proj.weight [64, 32]");
    expect(e.message).toContain("model.safetensors");
  });

  it("unexpected key -> ModelLoadError listing it", async () => {
    const dir = await editedModel("t5-tiny-gated", (t) => t.set("encoder.block.9.layer.0.SelfAttention.q.weight", { dtype: "F32", shape: [2], data: new Float32Array(2) }));
    expect((await loadError(dir)).message).toContain("unexpected keys: encoder.block.9.layer.0.SelfAttention.q.weight");
  });

  it("wrong shape -> ModelLoadError naming the key and both shapes", async () => {
    const dir = await editedModel("llama-tiny", (t) => t.set("model.norm.weight", { dtype: "F32", shape: [31], data: new Float32Array(31) }));
    expect((await loadError(dir)).message).toContain("model.norm.weight: expected [32], got [31]");
  });

  it("tied T5 tolerates the tied duplicates HF also ignores", async () => {
    const dir = await editedModel("t5-tiny", (t) => {
      const shared = t.get("shared.weight")!;
      t.set("encoder.embed_tokens.weight", shared);
      t.set("lm_head.weight", shared);
    });
    disposeModel(await loadModel(dir));
  });

  it("missing dir, file instead of dir, missing/bad config.json, unknown model_type, pickle-only", async () => {
    expect((await loadError(join(tmp, "does-not-exist"))).message).toContain("no such model folder");
    const file = join(tmp, "a-file.txt");
    writeFileSync(file, "x");
    expect((await loadError(file)).message).toContain("got a file");

    const noConfig = join(tmp, "no-config");
    mkdirSync(noConfig);
    expect((await loadError(noConfig)).file).toBe(join(noConfig, "config.json"));

    const badJson = join(tmp, "bad-json");
    mkdirSync(badJson);
    writeFileSync(join(badJson, "config.json"), "{ not json");
    const bj = await loadError(badJson);
    expect(bj.file).toBe(join(badJson, "config.json"));
    expect(bj.message).toContain("not valid JSON");

    const unknown = join(tmp, "unknown-type");
    mkdirSync(unknown);
    writeFileSync(join(unknown, "config.json"), JSON.stringify({ model_type: "bert" }));
    expect((await loadError(unknown)).message).toMatch(/config\.json: unknown model_type "bert"/);

    const pickle = join(tmp, "pickle-only");
    mkdirSync(pickle);
    copyFileSync(join(modelDir("t5-tiny"), "config.json"), join(pickle, "config.json"));
    writeFileSync(join(pickle, "pytorch_model.bin"), "not really a pickle");
    const pe = await loadError(pickle);
    expect(pe.file).toBe(join(pickle, "pytorch_model.bin"));
    expect(pe.message).toContain("save_pretrained");
    expect(pe.message).toContain("safe_serialization=True");

    const noWeights = join(tmp, "no-weights");
    mkdirSync(noWeights);
    copyFileSync(join(modelDir("t5-tiny"), "config.json"), join(noWeights, "config.json"));
    expect((await loadError(noWeights)).message).toContain("no model.safetensors");
  });

  it("sharded checkpoint (model.safetensors.index.json + shards) loads like the single file", async () => {
    const dir = mkdtempSync(join(tmp, "sharded-"));
    copyFileSync(join(modelDir("llama-tiny"), "config.json"), join(dir, "config.json"));
    const file = await readSafetensors(join(modelDir("llama-tiny"), "model.safetensors"));
    const keys = [...file.tensors.keys()].sort();
    const shards = [keys.slice(0, 10), keys.slice(10)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const name = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(join(dir, name), new Map(shard.map((k) => [k, file.tensors.get(k)!])), { format: "pt" });
      for (const k of shard) weightMap[k] = name;
    }
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const sharded = await loadModel(dir);
    const single = await loadModel(modelDir("llama-tiny"));
    expect(sharded.kind).toBe("llama");
    if (sharded.kind === "llama" && single.kind === "llama") {
      expect(sharded.params.layers[1]!.down.w.dataSync()).toEqual(single.params.layers[1]!.down.w.dataSync());
    }
    disposeModel(sharded);
    disposeModel(single);
  });

  it("hub id: resolved from the HF cache layout; uncached + offline -> ModelLoadError", async () => {
    const cache = join(tmp, "hf-cache");
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const snap = join(cache, "models--tiny-org--llama-tiny", "snapshots", sha);
    mkdirSync(snap, { recursive: true });
    mkdirSync(join(cache, "models--tiny-org--llama-tiny", "refs"));
    writeFileSync(join(cache, "models--tiny-org--llama-tiny", "refs", "main"), sha);
    for (const f of ["config.json", "model.safetensors"]) copyFileSync(join(modelDir("llama-tiny"), f), join(snap, f));
    const env = { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: "1" };
    const m = await loadModel("tiny-org/llama-tiny", { env });
    expect(m.kind).toBe("llama");
    disposeModel(m);
    const e = await loadError("tiny-org/not-cached", env);
    expect(e.message).toContain("tiny-org/not-cached");
  });
});
