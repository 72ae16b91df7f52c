// loadModel(dirOrHubId): a model folder (config.json + model.safetensors or model.safetensors.index.json with
// shards) or a Hugging Face hub id (resolved through the local HF cache, else downloaded with @dept/runtime).
// Mirrors transformers' from_pretrained for the safetensors case; pickle-only folders (pytorch_model.bin) are
// refused with the conversion recipe, since reading pickles is out of scope.
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { findCachedSnapshot, hubDownload, hubListFiles, readSafetensorsCheckpoint, SafetensorsError } from "@dept/runtime";
import { parseModelConfig } from "./config.ts";
import { ModelLoadError } from "./errors.ts";
import { modelFromCheckpoint, type LoadedModel } from "./model.ts";

export const CONFIG_FILE = "config.json";
export const SAFETENSORS_FILE = "model.safetensors";
export const SAFETENSORS_INDEX_FILE = "model.safetensors.index.json";
const PICKLE_FILES = ["pytorch_model.bin", "pytorch_model.bin.index.json"];
const CONVERT_HINT =
  "convert it once with Python: python -c \"from transformers import AutoModelForSeq2SeqLM as M; " +
  "M.from_pretrained('IN').save_pretrained('OUT', safe_serialization=True)\" (AutoModelForCausalLM for Llama)";

export interface LoadModelOptions {
  env?: NodeJS.ProcessEnv;
}

/** A hub repo id: "name" or "org/name" (letters, digits, - _ .), not a path that merely does not exist. */
export function looksLikeHubId(arg: string): boolean {
  return /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(arg) && !arg.startsWith(".") && !arg.endsWith(".json");
}

/**
 * The folder a model argument names: an existing directory as is; otherwise a hub id found in the HF cache
 * (findCachedSnapshot) or downloaded into it (hubDownload of config.json and the safetensors weights).
 */
export async function resolveModelDir(dirOrHubId: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (existsSync(dirOrHubId)) {
    if (!statSync(dirOrHubId).isDirectory()) throw new ModelLoadError(dirOrHubId, "expected a model folder (with config.json), got a file");
    return dirOrHubId;
  }
  if (!looksLikeHubId(dirOrHubId)) throw new ModelLoadError(dirOrHubId, "no such model folder");
  const cached = findCachedSnapshot(dirOrHubId, "model", undefined, env);
  if (cached !== null && existsSync(join(cached, CONFIG_FILE)) && hasSafetensors(cached)) return cached;
  let files: string[];
  try {
    files = await hubListFiles(dirOrHubId, "model", { env });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ModelLoadError(dirOrHubId, `not a local folder, and the Hugging Face hub lookup failed: ${why}`);
  }
  if (!files.includes(CONFIG_FILE)) throw new ModelLoadError(dirOrHubId, `hub repo has no ${CONFIG_FILE}`);
  let weights: string[];
  if (files.includes(SAFETENSORS_FILE)) {
    weights = [SAFETENSORS_FILE];
  } else if (files.includes(SAFETENSORS_INDEX_FILE)) {
    try {
      const indexPath = await hubDownload(dirOrHubId, "model", SAFETENSORS_INDEX_FILE, { env });
      const index = JSON.parse(await readFile(indexPath, "utf8")) as { weight_map?: Record<string, string> };
      weights = [...new Set(Object.values(index.weight_map ?? {}))];
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new ModelLoadError(dirOrHubId, `reading ${SAFETENSORS_INDEX_FILE} from the Hugging Face hub failed: ${why}`);
    }
  } else {
    throw new ModelLoadError(dirOrHubId, `hub repo has no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE}${files.some((f) => PICKLE_FILES.includes(f)) ? ` (only ${PICKLE_FILES[0]}; ${CONVERT_HINT})` : ""}`);
  }
  try {
    const configPath = await hubDownload(dirOrHubId, "model", CONFIG_FILE, { env });
    for (const f of weights) await hubDownload(dirOrHubId, "model", f, { env });
    return dirname(configPath);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ModelLoadError(dirOrHubId, `downloading from the Hugging Face hub failed: ${why}`);
  }
}

function hasSafetensors(dir: string): boolean {
  return existsSync(join(dir, SAFETENSORS_FILE)) || existsSync(join(dir, SAFETENSORS_INDEX_FILE));
}

/** Reads and validates config.json + the safetensors checkpoint of a folder or hub id. */
export async function loadModel(dirOrHubId: string, opts: LoadModelOptions = {}): Promise<LoadedModel> {
  const dir = await resolveModelDir(dirOrHubId, opts.env ?? process.env);
  const configPath = join(dir, CONFIG_FILE);
  if (!existsSync(configPath)) throw new ModelLoadError(configPath, "missing: a model folder needs config.json");
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configPath, "utf8"));
  } catch (error) {
    throw new ModelLoadError(configPath, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const config = parseModelConfig(json, configPath);
  if (!hasSafetensors(dir)) {
    const pickle = PICKLE_FILES.find((f) => existsSync(join(dir, f)));
    if (pickle !== undefined) {
      throw new ModelLoadError(
        join(dir, pickle),
        "only a PyTorch pickle checkpoint was found; this port reads safetensors. Convert once with Python: " +
          `python -c "from transformers import ${config.modelType === "t5" ? "AutoModelForSeq2SeqLM" : "AutoModelForCausalLM"} as M; ` +
          `M.from_pretrained('${dir}').save_pretrained('${dir}', safe_serialization=True)" ` +
          `(or without transformers: python -c "import torch; from safetensors.torch import save_file; ` +
          `save_file(torch.load('${join(dir, pickle)}'), '${join(dir, SAFETENSORS_FILE)}', metadata={'format': 'pt'})")`,
      );
    }
    throw new ModelLoadError(dir, `no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE} in the model folder`);
  }
  let tensors;
  try {
    tensors = (await readSafetensorsCheckpoint(dir)).tensors;
  } catch (error) {
    if (error instanceof SafetensorsError) throw new ModelLoadError(error.file, error.problem);
    throw error;
  }
  const weightsFile = existsSync(join(dir, SAFETENSORS_FILE)) ? join(dir, SAFETENSORS_FILE) : join(dir, SAFETENSORS_INDEX_FILE);
  return modelFromCheckpoint(config, tensors, weightsFile);
}
