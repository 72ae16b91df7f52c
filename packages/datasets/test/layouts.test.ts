// The same tiny split written in every on-disk layout (hub snapshot shards, data/, parquet conversion,
// JSON lines, HF hub cache, `datasets` Arrow cache, parent folders) loads to identical examples; bad
// inputs give errors that name the file/column/folder.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { DatasetError, loadTaskExamples, matchRepoFiles, resolveSplitFiles, getTask } from "../src/index.ts";
import { tempDir, writeArrowStream } from "./helpers.ts";

// paws (policy "neither": train is the train split in file order) exercises layouts without shuffling.
const ROWS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, sentence1: `First ${i}, "quoted".`, sentence2: `Second ${i} é`, label: i % 3 === 0 ? 1 : 0 }));
const EXPECTED = ROWS.map((r, i) => ({ row: i, source: `sentence1: ${r.sentence1} sentence2: ${r.sentence2}`, target: String(r.label), task: "paws" }));

const tmp = tempDir("layouts");
afterAll(tmp.cleanup);

function writeParquet(path: string, rows: typeof ROWS, rowGroupSize = 2): void {
  mkdirSync(dirname(path), { recursive: true });
  parquetWriteFile({
    filename: path,
    rowGroupSize,
    columnData: [
      { name: "id", data: Int32Array.from(rows, (r) => r.id), type: "INT32" },
      { name: "sentence1", data: rows.map((r) => r.sentence1), type: "STRING" },
      { name: "sentence2", data: rows.map((r) => r.sentence2), type: "STRING" },
      { name: "label", data: BigInt64Array.from(rows, (r) => BigInt(r.label)), type: "INT64" },
    ],
  });
}

function writeArrow(path: string, rows: typeof ROWS, batchRows = 3, dictionary = false): void {
  writeArrowStream(path, {
    id: Int32Array.from(rows, (r) => r.id),
    sentence1: rows.map((r) => r.sentence1),
    sentence2: rows.map((r) => r.sentence2),
    label: BigInt64Array.from(rows, (r) => BigInt(r.label)),
  }, batchRows, dictionary);
}

function writeJsonl(path: string, rows: typeof ROWS): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

function root(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const LAYOUTS: Record<string, () => { dataDir: string; layout: RegExp }> = {
  "hub snapshot, two shards": () => {
    const d = root("hub");
    writeParquet(join(d, "labeled_final", "train-00000-of-00002.parquet"), ROWS.slice(0, 4));
    writeParquet(join(d, "labeled_final", "train-00001-of-00002.parquet"), ROWS.slice(4));
    writeParquet(join(d, "labeled_final", "validation-00000-of-00001.parquet"), ROWS.slice(0, 1));
    return { dataDir: d, layout: /hub parquet labeled_final\/train-NNNNN-of-NNNNN/ };
  },
  "data/<split>-*.parquet with push_to_hub hash suffix": () => {
    const d = root("data");
    writeParquet(join(d, "data", "train-00000-of-00001-0a1b2c3d.parquet"), ROWS, 3);
    return { dataDir: d, layout: /hub parquet data\/train/ };
  },
  "parquet conversion <config>/<split>/NNNN.parquet": () => {
    const d = root("convert");
    writeParquet(join(d, "labeled_final", "train", "0000.parquet"), ROWS.slice(0, 5), 5);
    writeParquet(join(d, "labeled_final", "train", "0001.parquet"), ROWS.slice(5), 5);
    return { dataDir: d, layout: /parquet conversion/ };
  },
  "<config>/<split>.jsonl": () => {
    const d = root("jsonl");
    writeJsonl(join(d, "labeled_final", "train.jsonl"), ROWS);
    return { dataDir: d, layout: /JSON lines labeled_final\/train\.jsonl/ };
  },
  "datasets cache <name>/<config>/<version>/<hash>/<name>-<split>.arrow (IPC stream)": () => {
    const d = root("dscache");
    writeArrow(join(d, "google-research-datasets___paws", "labeled_final", "0.0.0", "f00d", "paws-train.arrow"), ROWS);
    return { dataDir: d, layout: /datasets cache/ };
  },
  "legacy datasets cache, sharded .arrow": () => {
    const d = root("dscache-legacy");
    const dir = join(d, "paws", "labeled_final", "1.1.0", "beef");
    // apache-arrow's default Dictionary<Utf8> strings: dictionary messages must be replayed per batch
    writeArrow(join(dir, "paws-train-00000-of-00002.arrow"), ROWS.slice(0, 3), 2, true);
    writeArrow(join(dir, "paws-train-00001-of-00002.arrow"), ROWS.slice(3), 2, true);
    return { dataDir: d, layout: /datasets cache/ };
  },
  "HF hub cache datasets--org--name/snapshots/<sha>/ (refs/main)": () => {
    const d = root("hubcache");
    const repo = join(d, "datasets--google-research-datasets--paws");
    const sha = "89abcdef0123456789abcdef0123456789abcdef";
    writeParquet(join(repo, "snapshots", "0000000000000000000000000000000000000000", "labeled_final", "train-00000-of-00001.parquet"), ROWS.slice(0, 2));
    writeParquet(join(repo, "snapshots", sha, "labeled_final", "train-00000-of-00001.parquet"), ROWS);
    mkdirSync(join(repo, "refs"), { recursive: true });
    writeFileSync(join(repo, "refs", "main"), sha);
    return { dataDir: d, layout: new RegExp(`hub parquet .*snapshots/${sha}`) };
  },
  "parent folder <org>/<name>/": () => {
    const d = root("parent");
    writeParquet(join(d, "google-research-datasets", "paws", "labeled_final", "train-00000-of-00001.parquet"), ROWS);
    return { dataDir: d, layout: /hub parquet/ };
  },
};

describe("every layout loads to the same examples", () => {
  for (const [name, make] of Object.entries(LAYOUTS)) {
    it(name, async () => {
      const { dataDir, layout } = make();
      const resolved = await resolveSplitFiles(getTask("paws").dataset, "train", { dataDir });
      expect(resolved.layout).toMatch(layout);
      expect(await loadTaskExamples("paws", "train", { dataDir })).toEqual(EXPECTED);
      expect(await loadTaskExamples("paws", "train", { dataDir, limit: undefined })).toHaveLength(7);
    });
  }
});

describe("hub file name matching", () => {
  it("does not confuse validation with validation_matched, prefers hub shards over data/", () => {
    const files = ["mnli/validation_matched-00000-of-00001.parquet", "mnli/validation_mismatched-00000-of-00001.parquet", "mnli/train-00000-of-00001.parquet", "README.md"];
    expect(matchRepoFiles(files, "mnli", "validation_matched")?.files).toEqual(["mnli/validation_matched-00000-of-00001.parquet"]);
    expect(matchRepoFiles(files, "mnli", "validation")).toBeNull();
    expect(matchRepoFiles(["data/train-00001-of-00002.parquet", "data/train-00000-of-00002.parquet"], "default", "train")?.files).toEqual([
      "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet",
    ]);
    expect(matchRepoFiles(["cola/train/0000.parquet", "cola/train/0001.parquet", "cola/test/0000.parquet"], "cola", "train")?.layout).toMatch(/parquet conversion/);
  });
});

describe("errors name what is wrong", () => {
  it("missing split: names --data_dir and the layouts looked for", async () => {
    const d = root("nosplit");
    writeParquet(join(d, "labeled_final", "train-00000-of-00001.parquet"), ROWS);
    const err = await loadTaskExamples("paws", "test", { dataDir: d }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/--data_dir .*nosplit: no files for google-research-datasets\/paws config 'labeled_final' split 'test'/);
  });
  it("missing column: names the file and the column", async () => {
    const d = root("nocol");
    writeJsonl(join(d, "labeled_final", "train.jsonl"), ROWS.map(({ sentence2: _s, ...r }) => r) as unknown as typeof ROWS);
    await expect(loadTaskExamples("paws", "train", { dataDir: d })).rejects.toThrow(/train\.jsonl: missing column 'sentence2' needed by task paws \(the file has: id, sentence1, label\)/);
  });
  it("unreadable file and bad rows name the file (and row)", async () => {
    const d = root("garbage");
    mkdirSync(join(d, "labeled_final"), { recursive: true });
    writeFileSync(join(d, "labeled_final", "train-00000-of-00001.parquet"), "not parquet at all");
    await expect(loadTaskExamples("paws", "train", { dataDir: d })).rejects.toThrow(/train-00000-of-00001\.parquet: not a readable Parquet file/);
    const e = root("badrow");
    writeJsonl(join(e, "labeled_final", "train.jsonl"), [ROWS[0]!, { ...ROWS[1]!, sentence1: null } as unknown as (typeof ROWS)[0]]);
    await expect(loadTaskExamples("paws", "train", { dataDir: e })).rejects.toThrow(/train\.jsonl row 1: column 'sentence1': expected a string, got null/);
  });
  it("unknown task, bad split, missing folder", async () => {
    await expect(loadTaskExamples("nope", "train", { dataDir: tmp.dir })).rejects.toThrow(/--task_name nope: unknown task/);
    await expect(loadTaskExamples("paws", "dev" as "train", { dataDir: tmp.dir })).rejects.toThrow(/--split dev: expected train, validation or test/);
    await expect(loadTaskExamples("paws", "train", { dataDir: join(tmp.dir, "missing") })).rejects.toThrow(/missing: is not a directory/);
  });
  it("k-shot on a task outside num_labels_mapping fails before reading", async () => {
    await expect(loadTaskExamples("paws", "train", { dataDir: tmp.dir, kShot: 8 })).rejects.toThrow(/task paws has no entry in num_labels_mapping/);
  });
});

