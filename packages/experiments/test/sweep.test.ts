import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { defaultTrainCommand, resolveTrainCommand, runState, TRAIN_CMD_ENV } from "../src/sweep/sweep.ts";
import { capture } from "./helpers/capture.ts";

const FAKE_TRAIN = fileURLToPath(new URL("./fixtures/fake-train.mjs", import.meta.url));
const PACKAGE = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(PACKAGE, "src/cli.ts");

/** A 2 tasks x 2 LRs recipe in a fresh temp dir; returns the recipe path and its output root. */
function makeRecipe(): { dir: string; recipe: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), "dept-sweep-"));
  const recipe = join(dir, "mini.json");
  writeFileSync(
    recipe,
    JSON.stringify({
      name: "mini",
      description: "two tasks, two prompt LRs",
      source: "test",
      base: { model_name_or_path: "t5-base", prefix_length: 4, r: 2, max_seq_length: 8, max_steps: 3, lora_embedding_lr: 1e-3, do_train: true },
      grid: { task_name: ["rte", "mrpc"], learning_rate: [0.3, 0.4] },
      output_root: join(dir, "runs"),
    }),
  );
  return { dir, recipe, root: join(dir, "runs") };
}

function readLog(root: string): Record<string, unknown>[] {
  return readFileSync(join(root, "sweep-log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function invocations(runDir: string): Record<string, unknown>[] {
  return readFileSync(join(runDir, "invocations.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("dept sweep with a fake train command", () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env[TRAIN_CMD_ENV] = FAKE_TRAIN;
  });
  afterEach(() => {
    for (const key of [TRAIN_CMD_ENV, "FAKE_TRAIN_FAIL", "FAKE_TRAIN_NO_RESULTS"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("runs every grid point with one JSON config argument, records failures, continues, exits 1", async () => {
    const { recipe, root } = makeRecipe();
    process.env.FAKE_TRAIN_FAIL = "rte_lr4e-1";
    const c = capture();
    expect(await main(["sweep", recipe], c.io)).toBe(1);
    for (const name of ["rte_lr3e-1", "mrpc_lr3e-1", "mrpc_lr4e-1"]) {
      expect(existsSync(join(root, name, "all_results.json")), name).toBe(true);
      const [config] = invocations(join(root, name));
      expect(config).toMatchObject({ task_name: name.split("_")[0], output_dir: join(root, name), max_steps: 3, lora_embedding_lr: 1e-3 });
      expect(config!.resume_from_checkpoint).toBeUndefined();
      // the config the train command got is kept in the run dir
      expect(JSON.parse(readFileSync(join(root, name, "dept-run-config.json"), "utf8"))).toEqual(config);
    }
    expect(existsSync(join(root, "rte_lr4e-1", "all_results.json"))).toBe(false);
    const log = readLog(root);
    expect(log.map((e) => [e.run, e.status])).toEqual([
      ["rte_lr3e-1", "completed"],
      ["rte_lr4e-1", "failed"],
      ["mrpc_lr3e-1", "completed"],
      ["mrpc_lr4e-1", "completed"],
    ]);
    const failed = log[1]!;
    expect(failed).toMatchObject({ recipe: "mini", exit_code: 3, error: "exit code 3" });
    expect(failed.log_tail).toContain("fake-train: simulated failure of rte_lr4e-1");
    expect(readFileSync(join(root, "rte_lr4e-1", "train.log"), "utf8")).toContain("simulated failure");
    expect(c.out.at(-2)).toMatch(/3 completed, 0 skipped, 1 failed/);
    expect(c.out.at(-1)).toBe("  failed: rte_lr4e-1: exit code 3");
    expect(c.err.some((l) => l.startsWith("rte_lr3e-1| fake-train: rte_lr3e-1"))).toBe(true);

    // Second pass: finished runs are skipped, the failed one runs again and now succeeds.
    delete process.env.FAKE_TRAIN_FAIL;
    const d = capture();
    expect(await main(["sweep", recipe], d.io)).toBe(0);
    expect(readLog(root).slice(4).map((e) => [e.run, e.status])).toEqual([
      ["rte_lr3e-1", "skipped"],
      ["rte_lr4e-1", "completed"],
      ["mrpc_lr3e-1", "skipped"],
      ["mrpc_lr4e-1", "skipped"],
    ]);
    expect(invocations(join(root, "rte_lr3e-1"))).toHaveLength(1);
    expect(invocations(join(root, "rte_lr4e-1"))).toHaveLength(2);
    expect(d.out.join("\n")).toContain("[1/4] rte_lr3e-1: skipped (all_results.json present)");
  });

  it("resumes a run from its newest complete checkpoint", async () => {
    const { recipe, root } = makeRecipe();
    const run = join(root, "mrpc_lr3e-1");
    for (const step of [1, 2]) {
      mkdirSync(join(run, `checkpoint-${step}`), { recursive: true });
      writeFileSync(join(run, `checkpoint-${step}`, "trainer_state.json"), "{}");
    }
    mkdirSync(join(run, "checkpoint-3")); // being written when the run died: no trainer_state.json
    expect(runState(run)).toEqual({ kind: "resume", checkpoint: join(run, "checkpoint-2") });
    const dry = capture();
    expect(await main(["sweep", recipe, "--dry-run"], dry.io)).toBe(0);
    expect(dry.out.join("\n")).toMatch(/mrpc_lr3e-1\s+resume .*checkpoint-2/);
    expect(dry.out.join("\n")).toContain("0 done, 1 to resume, 3 pending");
    expect(existsSync(join(root, "rte_lr3e-1"))).toBe(false); // dry run starts nothing

    const c = capture();
    expect(await main(["sweep", recipe, "--only", "mrpc_lr3e-1"], c.io)).toBe(0);
    expect(invocations(run)[0]!.resume_from_checkpoint).toBe(join(run, "checkpoint-2"));
    expect(readLog(root)).toHaveLength(1);
    expect(readLog(root)[0]).toMatchObject({ run: "mrpc_lr3e-1", status: "completed", resumed_from: join(run, "checkpoint-2") });
    expect(existsSync(join(root, "rte_lr3e-1"))).toBe(false); // --only kept the others out
  });

  it("refuses to resume checkpoints made with other hyperparameters", async () => {
    const { recipe, root } = makeRecipe();
    const run = join(root, "rte_lr3e-1");
    mkdirSync(join(run, "checkpoint-2"), { recursive: true });
    writeFileSync(join(run, "checkpoint-2", "trainer_state.json"), "{}");
    writeFileSync(join(run, "dept-run-config.json"), JSON.stringify({ task_name: "rte", learning_rate: 0.3, max_steps: 99 }));
    const c = capture();
    expect(await main(["sweep", recipe, "--only", "rte_lr3e-1"], c.io)).toBe(1);
    const [entry] = readLog(root);
    expect(entry).toMatchObject({ run: "rte_lr3e-1", status: "failed" });
    expect(String(entry!.error)).toMatch(/^recipe changed since this run dir was started \(do_train, lora_embedding_lr, max_seq_length, max_steps, model_name_or_path, output_dir, prefix_length, r\)/);
    expect(existsSync(join(run, "invocations.jsonl"))).toBe(false); // train never started
  });

  it("counts a run that exits 0 without all_results.json as failed", async () => {
    const { recipe, root } = makeRecipe();
    process.env.FAKE_TRAIN_NO_RESULTS = "rte_lr3e-1";
    const c = capture();
    expect(await main(["sweep", recipe, "--only", "rte_*"], c.io)).toBe(1);
    expect(readLog(root).map((e) => [e.run, e.status, e.error])).toEqual([
      ["rte_lr3e-1", "failed", "train exited 0 but wrote no all_results.json"],
      ["rte_lr4e-1", "completed", null],
    ]);
  });

  it("records a train command that cannot start, and honours --output_root", async () => {
    const { dir, recipe } = makeRecipe();
    process.env[TRAIN_CMD_ENV] = JSON.stringify([join(dir, "no-such-program")]);
    const root = join(dir, "elsewhere");
    const c = capture();
    expect(await main(["sweep", recipe, "--only", "rte_lr3e-1", "--output_root", root], c.io)).toBe(1);
    const [entry] = readLog(root);
    expect(entry).toMatchObject({ run: "rte_lr3e-1", status: "failed", output_dir: join(root, "rte_lr3e-1") });
    expect(String(entry!.error)).toMatch(/could not start .*no-such-program: spawn .* ENOENT/);
  });

  it("exits 2 when --only matches nothing", async () => {
    const { recipe } = makeRecipe();
    const c = capture();
    expect(await main(["sweep", recipe, "--only", "cola"], c.io)).toBe(2);
    expect(c.err[0]).toContain("--only 'cola' matches none of the 4 runs");
    expect(c.out).toEqual([]);
  });
});

describe("train command resolution", () => {
  it("defaults to this package's CLI through tsx: node --import <tsx> src/cli.ts train", () => {
    const argv = defaultTrainCommand();
    expect(argv[0]).toBe(process.execPath);
    expect(argv[1]).toBe("--import");
    expect(existsSync(fileURLToPath(argv[2]!))).toBe(true);
    expect(argv.slice(3)).toEqual([CLI, "train"]);
    expect(resolveTrainCommand({})).toEqual(argv);
  });
  it("takes a JSON argv array or a node script path from the env var", () => {
    expect(resolveTrainCommand({ [TRAIN_CMD_ENV]: '["python3", "x.py"]' })).toEqual(["python3", "x.py"]);
    expect(resolveTrainCommand({ [TRAIN_CMD_ENV]: "/a/b.mjs" })).toEqual([process.execPath, "/a/b.mjs"]);
    expect(() => resolveTrainCommand({ [TRAIN_CMD_ENV]: "[1]" })).toThrow(/JSON array of strings/);
  });
});

describe("dept sweep as a real subprocess", () => {
  it("runs the CLI through tsx with the fake train command", () => {
    const { recipe, root } = makeRecipe();
    const result = spawnSync(process.execPath, ["--import", "tsx", CLI, "sweep", recipe, "--only", "mrpc_lr4e-1"], {
      cwd: PACKAGE,
      encoding: "utf8",
      env: { ...process.env, [TRAIN_CMD_ENV]: FAKE_TRAIN },
    });
    expect(result.stderr).toContain("mrpc_lr4e-1| fake-train: mrpc_lr4e-1 task=mrpc lr=0.4");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("[1/1] mrpc_lr4e-1: completed");
    expect(existsSync(join(root, "mrpc_lr4e-1", "all_results.json"))).toBe(true);
  });
});
