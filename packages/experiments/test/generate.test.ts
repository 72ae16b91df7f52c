// `dept generate`: in-process through main() (output equals a direct @dept/models generate call on the same
// tokenized batch) plus one real subprocess run via tsx. Model: the t5-tiny golden fixture of @dept/models
// (HF-saved weights) with its t5-base tokenizer files (@dept/models test/fixtures/tokenizers/t5), assembled into a
// temporary model folder rather than copied into this package (4.3 MB + 2.4 MB).
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { disposeModel, generate, loadModel, Tokenizer } from "@dept/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { capture } from "./helpers/capture.ts";

const MODEL_FIXTURE = fileURLToPath(new URL("../../models/test/fixtures/models/t5-tiny", import.meta.url));
const TOKENIZER_FIXTURE = fileURLToPath(new URL("../../models/test/fixtures/tokenizers/t5", import.meta.url));
let T5_TINY = "";

/** A model folder as HF save_pretrained + tokenizer.save_pretrained would write it. */
async function assembleModelDir(root: string): Promise<string> {
  const dir = join(root, "t5-tiny");
  await mkdir(dir);
  for (const f of ["config.json", "generation_config.json", "model.safetensors"]) await copyFile(join(MODEL_FIXTURE, f), join(dir, f));
  for (const f of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) await copyFile(join(TOKENIZER_FIXTURE, f), join(dir, f));
  return dir;
}
const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const INPUTS = ["sentence1: It rains. sentence2: It is wet.", "cola sentence: The book was read by me."];

/** What the command should print, computed with the library directly (right-padded T5 batch). */
async function expected(maxNewTokens: number): Promise<{ input: string; ids: number[]; text: string }[]> {
  const tokenizer = await Tokenizer.fromDir(T5_TINY);
  const model = await loadModel(T5_TINY);
  const enc = tokenizer.batchEncode(INPUTS, { padding: "longest", paddingSide: "right" });
  const inputIds = tf.tensor2d(enc.inputIds, undefined, "int32");
  const attentionMask = tf.tensor2d(enc.attentionMask, undefined, "int32");
  const rows = await generate(model, { inputIds, attentionMask }, { maxNewTokens });
  tf.dispose([inputIds, attentionMask]);
  disposeModel(model);
  return INPUTS.map((input, i) => ({ input, ids: rows[i]!, text: tokenizer.decode(rows[i]!, { skipSpecialTokens: true }) }));
}

let empty: string;
beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), "dept-generate-"));
  T5_TINY = await assembleModelDir(empty);
});
afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
});

describe("dept generate (in-process)", () => {
  it("prints one JSON line per --input equal to the library's greedy generate", async () => {
    const c = capture();
    const code = await main(["generate", "--model_name_or_path", T5_TINY, "--input", INPUTS[0]!, "--input", INPUTS[1]!, "--max_new_tokens", "4", "--backend", "cpu"], c.io);
    expect(c.err.join("\n")).not.toMatch(/Error/);
    expect(code).toBe(0);
    const lines = c.out.map((l) => JSON.parse(l) as { input: string; ids: number[]; text: string });
    expect(lines).toEqual(await expected(4));
    expect(lines.every((l) => l.ids.length === 4)).toBe(true);
  });
  it("exits 2 naming a missing model folder", async () => {
    const c = capture();
    const missing = join(empty, "nope");
    expect(await main(["generate", "--model_name_or_path", missing, "--input", "x", "--backend", "cpu"], c.io)).toBe(2);
    expect(c.out).toEqual([]);
    expect(c.err.join("\n")).toContain(missing);
  });
  it("exits 2 for a non-positive --max_new_tokens", async () => {
    const c = capture();
    expect(await main(["generate", "--model_name_or_path", T5_TINY, "--input", "x", "--max_new_tokens", "0"], c.io)).toBe(2);
    expect(c.err.join("\n")).toContain("--max_new_tokens");
  });
});

describe("dept generate (subprocess)", () => {
  it("runs through tsx on the default (wasm) backend and writes JSON lines on stdout", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(TSX, ["src/cli.ts", "generate", "--model_name_or_path", T5_TINY, "--input", INPUTS[0]!, "--max_new_tokens", "3"], { cwd: PACKAGE_ROOT });
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { input: string; ids: number[]; text: string });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.input).toBe(INPUTS[0]);
    expect(lines[0]!.ids).toHaveLength(3);
    expect(typeof lines[0]!.text).toBe("string");
  });
});
