// Adapter folders as peft writes them: adapter_config.json + adapter_model.safetensors (metadata {"format": "pt"}).
// Loading also accepts adapter_model.bin (torch.save zip; DePT's train.py default) through the restricted
// unpickler; like the fork's loader, the safetensors file wins when both exist.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoadedModel } from "@dept/models";
import { readSafetensors, writeSafetensors } from "@dept/runtime";
import { AdapterLoadError } from "../errors.ts";
import type { PeftModel } from "../peft-model.ts";
import { parsePeftConfig, tunerFor, type PeftConfig } from "../tuners/registry.ts";
import type { RawTensor } from "./tensor.ts";
import { readTorchBin } from "./torch-bin.ts";

export const ADAPTER_CONFIG_NAME = "adapter_config.json";
export const ADAPTER_SAFETENSORS_NAME = "adapter_model.safetensors";
export const ADAPTER_BIN_NAME = "adapter_model.bin";
/** safetensors metadata that torch-side loaders (safetensors.torch, peft) expect. */
export const ADAPTER_METADATA: Readonly<Record<string, string>> = { format: "pt" };

export async function readAdapterConfig(dir: string): Promise<PeftConfig> {
  const file = join(dir, ADAPTER_CONFIG_NAME);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new AdapterLoadError(file, `cannot read the adapter config; expected a peft adapter folder with ${ADAPTER_CONFIG_NAME}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AdapterLoadError(file, `invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parsePeftConfig(raw, file);
}

/** The adapter tensors of `dir` and the file they came from. */
export async function readAdapterWeights(dir: string): Promise<{ file: string; tensors: Map<string, RawTensor> }> {
  const st = join(dir, ADAPTER_SAFETENSORS_NAME);
  if (existsSync(st)) return { file: st, tensors: (await readSafetensors(st)).tensors };
  const bin = join(dir, ADAPTER_BIN_NAME);
  if (existsSync(bin)) return { file: bin, tensors: await readTorchBin(bin) };
  throw new AdapterLoadError(dir, `no adapter weights: expected ${ADAPTER_SAFETENSORS_NAME} or ${ADAPTER_BIN_NAME}`);
}

export interface LoadAdapterOptions {
  /** Seed for parameters the file does not provide (DePT A with allowPromptOnly). Default 0. */
  seed?: number;
  /** DePT: accept a file with only prompt_embeddings although the config names r (see DeptLoadOptions). */
  allowPromptOnly?: boolean;
}

/** peft PeftModel.from_pretrained(model, dir): config + weights, checked against the model. */
export async function loadAdapter(model: LoadedModel, dir: string, opts: LoadAdapterOptions = {}): Promise<PeftModel> {
  const config = await readAdapterConfig(dir);
  const { file, tensors } = await readAdapterWeights(dir);
  const tuner = tunerFor(config.peftType, join(dir, ADAPTER_CONFIG_NAME));
  const pm = tuner.create(model, config, { seed: opts.seed ?? 0, forLoad: true }, join(dir, ADAPTER_CONFIG_NAME));
  try {
    tuner.loadState(pm, tensors, file, { allowPromptOnly: opts.allowPromptOnly });
  } catch (error) {
    pm.dispose();
    throw error;
  }
  return pm;
}

/** peft save_pretrained: adapter_config.json (inference_mode true, as peft writes it) + adapter_model.safetensors. */
export async function savePretrained(pm: PeftModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tuner = tunerFor(pm.config.peftType, "savePretrained");
  const tensors = tuner.stateDict(pm);
  await writeSafetensors(join(dir, ADAPTER_SAFETENSORS_NAME), tensors, { ...ADAPTER_METADATA });
  const config = { ...pm.config, inferenceMode: true } as PeftConfig;
  await writeFile(join(dir, ADAPTER_CONFIG_NAME), tuner.serializeConfig(config));
}
