// Custom tasks (task.json) go through the same reader/layout/split path; the shipped real data set
// (data/amazon-sentiment, UCI Amazon review sentences) loads identically from Parquet and JSON lines.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { customTask, loadCustomTask, loadTaskExamples, resolveTask } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

const AMAZON = join(import.meta.dirname, "..", "data", "amazon-sentiment");
const TASK_FILE = join(AMAZON, "task.json");
const tmp = tempDir("custom");
afterAll(tmp.cleanup);

describe("amazon-sentiment (real data, custom task)", () => {
  it("Parquet (HF parquet-conversion layout) and JSON lines give the same examples, all splits", async () => {
    const counts: Record<string, number> = {};
    for (const split of ["train", "validation", "test"] as const) {
      const parquet = await loadTaskExamples("amazon-sentiment", split, { dataDir: AMAZON });
      const jsonl = await loadTaskExamples(TASK_FILE, split, { dataDir: join(AMAZON, "jsonl") });
      expect(jsonl).toEqual(parquet);
      counts[split] = parquet.length;
      const lines = readFileSync(join(AMAZON, "jsonl", `${split}.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { sentence: string; label: number });
      expect(parquet.map((e) => e.source)).toEqual(lines.map((l) => `sentence: ${l.sentence}`));
      expect(parquet.map((e) => e.target)).toEqual(lines.map((l) => String(l.label)));
    }
    expect(counts).toEqual({ train: 700, validation: 150, test: 150 });
  });
  it("first training example, label balance and k-shot", async () => {
    const train = await loadTaskExamples("amazon-sentiment", "train", { dataDir: AMAZON });
    expect(train[0]).toEqual({ row: 0, source: "sentence: I highly recommend this case.", target: "1", task: "amazon-sentiment" });
    expect(train.filter((e) => e.target === "0").length).toBe(361);
    const k = await loadTaskExamples("amazon-sentiment", "train", { dataDir: AMAZON, kShot: 16, seed: 42 });
    expect(k).toHaveLength(16);
    // 8 per class, except that the 16th pick is taken whatever its class (the reference's k-1 clause)
    const ones = k.filter((e) => e.target === "1").length;
    expect([7, 8, 9]).toContain(ones);
    expect(new Set(k.map((e) => e.row)).size).toBe(16);
  });
  it("declares metrics and labels", () => {
    const task = loadCustomTask(TASK_FILE);
    expect(task.metrics).toEqual(["accuracy"]);
    expect(task.labelsList).toEqual(["0", "1"]);
    expect(task.dataset.local).toBe(true);
  });
});

describe("task.json validation", () => {
  const base = { name: "t", source: "text: {a}", target: "{b}" };
  it("label maps, split policies, defaults", () => {
    const t = customTask({ ...base, labelMap: { yes: "1", no: "0" }, labels: ["0", "1"], splitPolicy: "small" }, "t.json");
    expect(t.format({ a: "x", b: "yes" }, { fixQuirks: false })).toEqual({ source: "text: x", target: "1" });
    expect(() => t.format({ a: "x", b: "maybe" }, { fixQuirks: false })).toThrow(/"maybe" is not in labelMap/);
    expect(t.splitPolicy).toBe("small");
    expect(t.columns).toEqual(["a", "b"]);
    expect(customTask(base, "t.json").format({ a: 1.5, b: 2 }, { fixQuirks: false })).toEqual({ source: "text: 1.5", target: "2" });
  });
  it("bad files are errors naming the file and key", () => {
    expect(() => customTask({ ...base, bogus: 1 }, "t.json")).toThrow(/t\.json: unknown key 'bogus'/);
    expect(() => customTask({ name: "t", source: "x", target: "y" }, "t.json")).toThrow(/no \{column\} placeholder/);
    expect(() => customTask({ ...base, columns: ["a"] }, "t.json")).toThrow(/template column 'b' is not in 'columns'/);
    expect(() => customTask({ ...base, splitPolicy: "huge" }, "t.json")).toThrow(/'splitPolicy' must be small, large or neither/);
    expect(() => customTask({ ...base, kShot: true }, "t.json")).toThrow(/'kShot' needs 'labels'/);
    const bad = join(tmp.dir, "bad.json");
    writeFileSync(bad, "{ not json");
    expect(() => loadCustomTask(bad)).toThrow(/bad\.json: not valid JSON/);
    expect(() => resolveTask(join(tmp.dir, "none.json"))).toThrow(/none\.json: cannot read the task file/);
  });
  it("a local custom task without --data_dir says so", async () => {
    await expect(loadTaskExamples(TASK_FILE, "train", { env: { HF_HUB_CACHE: tmp.dir, HF_HOME: tmp.dir } })).rejects.toThrow(/amazon-sentiment: is a local data set .*pass --data_dir/);
  });
});
