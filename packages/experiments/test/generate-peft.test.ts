// `dept generate --peft_model_id`: the golden DePT adapter (t5-tiny c_dept, @dept/peft fixtures) on the t5-tiny
// fixture model must reproduce the golden DePT greedy ids (golden e_generate `dept_*`, whose inputs are these two
// texts padded to s = 20); loader errors exit 2 with nothing on stdout. In-process through main() plus one
// real subprocess run via tsx.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { capture } from "./helpers/capture.ts";

const MODEL_FIXTURE = fileURLToPath(new URL("../../models/test/fixtures/models/t5-tiny", import.meta.url));
const TOKENIZER_FIXTURE = fileURLToPath(new URL("../../models/test/fixtures/tokenizers/t5", import.meta.url));
const PEFT_FIXTURES = fileURLToPath(new URL("../../peft/test/fixtures", import.meta.url));
const DEPT_ADAPTER = join(PEFT_FIXTURES, "golden", "t5-tiny", "c_dept", "adapter");
const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
// The golden e_generate input_ids decode to these texts and re-encode to exactly those ids.
const INPUTS = ["sentence1: The quick brown fox jumped over the lazy dog near the old river bank", "sentence1: It rains. sentence2: It is wet."];

let root = "";
let t5Tiny = "";
let goldenDeptIds: number[][] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "dept-generate-peft-"));
  t5Tiny = join(root, "t5-tiny");
  await mkdir(t5Tiny);
  for (const f of ["config.json", "generation_config.json", "model.safetensors"]) await copyFile(join(MODEL_FIXTURE, f), join(t5Tiny, f));
  for (const f of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) await copyFile(join(TOKENIZER_FIXTURE, f), join(t5Tiny, f));
  const gc = JSON.parse(await readFile(join(PEFT_FIXTURES, "cases", "t5-tiny", "e_generate", "case.json"), "utf8")) as { dept_new_tokens_list: number[][] };
  goldenDeptIds = gc.dept_new_tokens_list;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("dept generate --peft_model_id (in-process)", () => {
  it("a DePT adapter reproduces the golden DePT greedy generation", async () => {
    const c = capture();
    const args = ["generate", "--model_name_or_path", t5Tiny, "--peft_model_id", DEPT_ADAPTER, "--input", INPUTS[0]!, "--input", INPUTS[1]!, "--max_new_tokens", "6"];
    expect(await main(args, c.io)).toBe(0);
    expect(c.err.join("\n")).toContain("PROMPT_TUNING_LORA");
    const lines = c.out.map((l) => JSON.parse(l) as { input: string; ids: number[] });
    expect(lines.map((l) => l.ids)).toEqual(goldenDeptIds);
    // and the adapter matters: without it the golden base generation differs for the first input
    const base = capture();
    expect(await main(["generate", "--model_name_or_path", t5Tiny, "--input", INPUTS[0]!, "--max_new_tokens", "6"], base.io)).toBe(0);
    expect((JSON.parse(base.out[0]!) as { ids: number[] }).ids).not.toEqual(goldenDeptIds[0]);
  });

  it.each([
    ["a missing adapter folder", join(PEFT_FIXTURES, "nope"), /nope[/\\]adapter_config\.json: cannot read the adapter config/],
    ["an adapter of another width (t5-base DePT on t5-tiny)", join(PEFT_FIXTURES, "dept-checkpoints", "cola"), /token_dim: got 768; the t5 model has d_model = 32/],
  ])("%s exits 2 with a clear message and nothing on stdout", async (_name, dir, pattern) => {
    const c = capture();
    expect(await main(["generate", "--model_name_or_path", t5Tiny, "--peft_model_id", dir, "--input", "x", "--max_new_tokens", "2"], c.io)).toBe(2);
    expect(c.out).toEqual([]);
    expect(c.err.join("\n")).toMatch(pattern);
  });
});

describe("dept generate --peft_model_id (subprocess)", () => {
  it("runs through tsx and prints the golden DePT ids", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(TSX, ["src/cli.ts", "generate", "--model_name_or_path", t5Tiny, "--peft_model_id", DEPT_ADAPTER, "--input", INPUTS[1]!, "--max_new_tokens", "6"], { cwd: PACKAGE_ROOT });
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { ids: number[] });
    expect(lines.map((l) => l.ids)).toEqual([goldenDeptIds[1]]);
  });
});
