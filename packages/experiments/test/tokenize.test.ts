// `dept tokenize`: in-process through main() plus one real subprocess run via tsx.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { capture } from "./helpers/capture.ts";

const TINY = fileURLToPath(new URL("./fixtures/tiny-tokenizer", import.meta.url));
const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
// tsx is a root devDependency (the `pnpm dept` script runs it from there).
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

describe("dept tokenize (in-process)", () => {
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), "dept-tokenize-"));
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  it("prints one JSON line per --text with ids (</s> appended) and token strings", async () => {
    const c = capture();
    const code = await main(["tokenize", "--model_name_or_path", TINY, "--text", "hello world", "--text", "hello  wor!"], c.io);
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    expect(c.out.map((l) => JSON.parse(l) as unknown)).toEqual([
      { text: "hello world", ids: [3, 4, 1], tokens: ["▁hello", "▁world", "</s>"] },
      { text: "hello  wor!", ids: [3, 5, 10, 9, 11, 13, 1], tokens: ["▁hello", "▁", "w", "o", "r", "!", "</s>"] },
    ]);
  });
  it("leaves special tokens out with --add_special_tokens false", async () => {
    const c = capture();
    expect(await main(["tokenize", "--model_name_or_path", TINY, "--text", "hello", "--add_special_tokens", "false"], c.io)).toBe(0);
    expect(JSON.parse(c.out[0]!)).toEqual({ text: "hello", ids: [3], tokens: ["▁hello"] });
  });
  it("exits 2 naming a missing directory", async () => {
    const c = capture();
    const missing = join(empty, "nope");
    expect(await main(["tokenize", "--model_name_or_path", missing, "--text", "x"], c.io)).toBe(2);
    expect(c.out).toEqual([]);
    expect(c.err.join("\n")).toContain(`${missing} is not a directory`);
  });
  it("exits 2 naming a missing tokenizer.json", async () => {
    const c = capture();
    expect(await main(["tokenize", "--model_name_or_path", empty, "--text", "x"], c.io)).toBe(2);
    expect(c.out).toEqual([]);
    expect(c.err.join("\n")).toContain(`${join(empty, "tokenizer.json")} not found`);
  });
  it("exits 2 without --text", async () => {
    const c = capture();
    expect(await main(["tokenize", "--model_name_or_path", TINY], c.io)).toBe(2);
    expect(c.err.join("\n")).toMatch(/missing required option --text/);
  });
});

describe("dept tokenize (subprocess)", () => {
  it("runs through tsx and writes JSON lines on stdout", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(TSX, ["src/cli.ts", "tokenize", "--model_name_or_path", TINY, "--text", "hello world"], { cwd: PACKAGE_ROOT });
    expect(stdout.trim().split("\n").map((l) => JSON.parse(l) as unknown)).toEqual([{ text: "hello world", ids: [3, 4, 1], tokens: ["▁hello", "▁world", "</s>"] }]);
  });
  it("exits 2 with the message on stderr for a missing tokenizer.json", async () => {
    const run = promisify(execFile);
    const err = (await run(TSX, ["src/cli.ts", "tokenize", "--model_name_or_path", PACKAGE_ROOT, "--text", "x"], { cwd: PACKAGE_ROOT }).catch((e: unknown) => e)) as {
      code: number;
      stdout: string;
      stderr: string;
    };
    expect(err.code).toBe(2);
    expect(err.stdout).toBe("");
    expect(err.stderr).toContain("tokenizer.json not found");
  });
});
