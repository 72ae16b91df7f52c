// `dept data`: in-process through main() on the shipped amazon-sentiment data plus tiny GLUE-shaped
// files, and one real subprocess run via tsx.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { capture } from "./helpers/capture.ts";

const AMAZON = fileURLToPath(new URL("../../datasets/data/amazon-sentiment", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "dept-data-cmd-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(args: string[]) {
  const c = capture();
  const code = await main(["data", ...args], c.io);
  return { code, out: c.out.map((l) => JSON.parse(l) as Record<string, unknown>), err: c.err };
}

describe("dept data (in-process)", () => {
  it("prints one JSON line per example: row, source, target, task", async () => {
    const r = await run(["--task_name", "amazon-sentiment", "--data_dir", AMAZON, "--split", "train", "--limit", "700"]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(700);
    // --limit on a published split is the reference's seed-42 subsample; without it, file order
    const all = await run(["--task_name", "amazon-sentiment", "--data_dir", AMAZON, "--split", "train"]);
    expect(all.out[0]).toEqual({ row: 0, source: "sentence: I highly recommend this case.", target: "1", task: "amazon-sentiment" });
    expect(new Set(r.out.map((e) => e.row)).size).toBe(700);
  });
  it("k-shot via --k_shot_examples alias and --seed", async () => {
    const a = await run(["--task_name", "amazon-sentiment", "--data_dir", AMAZON, "--split", "train", "--k_shot_examples", "8", "--seed", "13"]);
    const b = await run(["--task_name", "amazon-sentiment", "--data_dir", AMAZON, "--split", "train", "--k_shot_example", "8", "--seed", "0"]);
    expect(a.out).toHaveLength(8);
    expect(b.out).toHaveLength(8);
    expect(a.out.map((e) => e.row)).not.toEqual(b.out.map((e) => e.row));
  });
  it("--fix_quirks changes WinoGrande's option1", async () => {
    const dir = join(tmp, "wino", "winogrande_xl");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "validation.jsonl"), JSON.stringify({ sentence: "He hid from _ .", option1: "Ann", option2: "Bob", answer: "2" }) + "\n");
    const quirk = await run(["--task_name", "winogrande", "--data_dir", join(tmp, "wino"), "--split", "test"]);
    const fixed = await run(["--task_name", "winogrande", "--data_dir", join(tmp, "wino"), "--split", "test", "--fix_quirks"]);
    expect(quirk.out).toEqual([{ row: 0, source: "sentence: He hid from _ . option0: Ann option1: Ann", target: "1", task: "winogrande" }]);
    expect(fixed.out[0]!.source).toBe("sentence: He hid from _ . option0: Ann option1: Bob");
  });
  it("exit 2 with a message naming the task / split / file / column; nothing on stdout", async () => {
    const unknown = await run(["--task_name", "nope", "--data_dir", AMAZON, "--split", "train"]);
    expect([unknown.code, unknown.out.length]).toEqual([2, 0]);
    expect(unknown.err.join("\n")).toMatch(/--task_name nope: unknown task/);
    const badSplit = await run(["--task_name", "amazon-sentiment", "--data_dir", AMAZON, "--split", "dev"]);
    expect(badSplit.code).toBe(2);
    expect(badSplit.err.join("\n")).toMatch(/--split expects train, validation or test, got 'dev'/);
    const noSplit = await run(["--task_name", "rte", "--data_dir", AMAZON, "--split", "train"]);
    expect(noSplit.code).toBe(2);
    expect(noSplit.err.join("\n")).toMatch(/--data_dir .*amazon-sentiment: no files for nyu-mll\/glue config 'rte' split 'train'/);
    const colDir = join(tmp, "cols", "rte");
    mkdirSync(colDir, { recursive: true });
    writeFileSync(join(colDir, "train.jsonl"), JSON.stringify({ sentence1: "a", label: 0 }) + "\n");
    const noCol = await run(["--task_name", "rte", "--data_dir", join(tmp, "cols"), "--split", "train"]);
    expect(noCol.code).toBe(2);
    expect(noCol.err.join("\n")).toMatch(/train\.jsonl: missing column 'sentence2' needed by task rte/);
    const kshot = await run(["--task_name", "paws", "--data_dir", AMAZON, "--split", "train", "--k_shot_example", "4"]);
    expect(kshot.code).toBe(2);
    expect(kshot.err.join("\n")).toMatch(/task paws has no entry in num_labels_mapping/);
  });
});

describe("dept data (subprocess)", () => {
  it("runs through tsx like `pnpm dept data`", async () => {
    const { stdout } = await promisify(execFile)(TSX, ["packages/experiments/src/cli.ts", "data", "--task_name", "packages/datasets/data/amazon-sentiment/task.json", "--data_dir", "packages/datasets/data/amazon-sentiment/jsonl", "--split", "test"], { cwd: REPO_ROOT });
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { row: number; task: string });
    expect(lines).toHaveLength(150);
    expect(lines.map((l) => l.row)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(lines[0]!.task).toBe("amazon-sentiment");
  });
});
