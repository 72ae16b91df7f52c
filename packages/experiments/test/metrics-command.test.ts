import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { capture } from "./helpers/capture.ts";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLES = fileURLToPath(new URL("../../metrics/examples/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dept-metrics-cli-"));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function run(args: string[]) {
  const c = capture();
  const code = await main(["metrics", ...args], c.io);
  return { code, out: c.out, err: c.err };
}

describe("dept metrics (in process)", () => {
  it("scores the shipped mrpc sample: accuracy first (selection metric), then F1 with the invalid rule", async () => {
    const r = await run([
      "--task_name", "mrpc",
      "--predictions", join(EXAMPLES, "mrpc.predictions.txt"),
      "--references", join(EXAMPLES, "mrpc.references.txt"),
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    // 20 examples, 4 wrong (one is the invalid "yes"); class 1: tp 12, fp 2, fn 2 -> F1 24/28
    expect(r.out[0]).toBe(`{"accuracy": 80, "f1": ${100 * (24 / 28)}}`);
    expect(JSON.parse(r.out[0]!)).toEqual({ accuracy: 80, f1: 100 * (24 / 28) });
  });

  it("--scale fraction, CRLF line ends, a BOM and a missing final newline", async () => {
    const p = file("p-crlf.txt", "\ufeff1\r\n0\r\n1");
    const t = file("t-crlf.txt", "1\n1\n1\n");
    const r = await run(["--task_name", "sst2", "--predictions", p, "--references", t, "--scale", "fraction"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0]!)).toEqual({ accuracy: 2 / 3 });
  });

  it("keeps empty lines as empty-string examples (only the final newline is a terminator)", async () => {
    const p = file("p-empty.txt", "1\n\n");
    const t = file("t-empty.txt", "1\n0\n");
    const r = await run(["--task_name", "superglue-boolq", "--predictions", p, "--references", t]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0]!)).toEqual({ accuracy: 50 });
  });

  it("reads QA references as JSON lines of gold answers", async () => {
    const p = file("qa-p.txt", "The Eiffel Tower\nin 1889, Paris!\n");
    const t = file("qa-t.jsonl", '["Eiffel Tower", "the eiffel tower in Paris"]\n"1889"\n');
    const r = await run(["--task_name", "nq", "--predictions", p, "--references", t]);
    expect(r.err).toEqual([]);
    expect(JSON.parse(r.out[0]!)).toEqual({ em: 50, f1: 75 });
  });

  it("stsb and cola print their reference keys", async () => {
    const p = file("stsb-p.txt", "3.8\nabc\n2.0\n5.0\n4.0\n");
    const t = file("stsb-t.txt", "3.6\n1.0\n2.2\n4.8\n4.0\n");
    const r = await run(["--task_name", "stsb", "--predictions", p, "--references", t]);
    expect(Object.keys(JSON.parse(r.out[0]!) as object)).toEqual(["pearson", "spearmanr"]);
    const c = await run(["--task_name", "cola", "--predictions", file("c-p.txt", "1\n0\n"), "--references", file("c-t.txt", "1\n0\n")]);
    expect(c.out).toEqual(['{"matthews_correlation": 100}']);
  });

  describe("bad input: message on stderr, exit 2, nothing on stdout", () => {
    const good = file("good.txt", "1\n0\n");
    const cases: [string, string[], RegExp][] = [
      ["unknown task", ["--task_name", "wnli", "--predictions", good, "--references", good], /unknown --task_name 'wnli'; expected one of cola, mrpc/],
      ["bad scale", ["--task_name", "mrpc", "--predictions", good, "--references", good, "--scale", "ratio"], /--scale must be percent or fraction, got 'ratio'/],
      ["missing predictions file", ["--task_name", "mrpc", "--predictions", join(dir, "nope.txt"), "--references", good], /cannot read --predictions file .*nope\.txt: no such file/],
      ["references is a directory", ["--task_name", "mrpc", "--predictions", good, "--references", dir], /cannot read --references file .*: is a directory/],
      ["unequal line counts", ["--task_name", "mrpc", "--predictions", good, "--references", file("three.txt", "1\n0\n1\n")], /good\.txt has 2 lines but .*three\.txt has 3/],
      ["empty files", ["--task_name", "mrpc", "--predictions", file("e1.txt", ""), "--references", file("e2.txt", "")], /are empty; nothing to score/],
      ["QA line not JSON", ["--task_name", "nq", "--predictions", good, "--references", file("bad.jsonl", '["a"]\nDenver\n')], /bad\.jsonl:2: malformed JSON/],
      ["QA line not a list of strings", ["--task_name", "newsqa", "--predictions", good, "--references", file("bad2.jsonl", '[]\n["a"]\n')], /bad2\.jsonl:1: expected a non-empty JSON array of gold answer strings, got \[\]/],
      ["binary label out of range", ["--task_name", "qqp", "--predictions", good, "--references", file("two.txt", "1\n2\n")], /reference 2 is "2"; binary F1 needs references "0" or "1"/],
      ["missing option", ["--task_name", "mrpc", "--predictions", good], /missing required option --references/],
    ];
    it.each(cases)("%s", async (_name, args, message) => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.out).toEqual([]);
      expect(r.err.join("\n")).toMatch(message);
    });
  });
});

describe("dept metrics (subprocess via tsx)", () => {
  const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
  const exec = promisify(execFile);
  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await exec(tsx, ["src/cli.ts", "metrics", ...args], { cwd: PACKAGE_DIR });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it("prints one JSON line for the shipped sample and exits 0; exits 2 with stderr only on bad input", async () => {
    const ok = await cli([
      "--task_name", "mrpc",
      "--predictions", join(EXAMPLES, "mrpc.predictions.txt"),
      "--references", join(EXAMPLES, "mrpc.references.txt"),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.endsWith("\n")).toBe(true);
    expect(ok.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(ok.stdout)).toEqual({ accuracy: 80, f1: 100 * (24 / 28) });

    const unequal = await cli(["--task_name", "mrpc", "--predictions", join(EXAMPLES, "mrpc.predictions.txt"), "--references", file("one.txt", "1\n")]);
    expect(unequal.code).toBe(2);
    expect(unequal.stdout).toBe("");
    expect(unequal.stderr).toMatch(/has 20 lines but .*one\.txt has 1/);

    const unknown = await cli(["--task_name", "imdb", "--predictions", "x", "--references", "y"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(/unknown --task_name 'imdb'/);
  });
});
