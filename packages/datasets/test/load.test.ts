// End to end through loadTaskExamples with @dept/runtime's torchRandperm / numpyPermutation: the rows
// chosen for real split sizes equal the golden seed-42 permutation; k-shot equals the reference loop;
// the HF hub cache, the `datasets` cache and a download from a 127.0.0.1 fake hub all resolve.
import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTaskExamples, sourceSplitSize } from "../src/index.ts";
import { FIXTURES, tempDir, torchGolden, writeArrowStream } from "./helpers.ts";

const tmp = tempDir("load");
afterAll(tmp.cleanup);
const TORCH = torchGolden();

/** A GLUE-shaped pair split: sentence1 = "s<i>", label from `labels` (default i % 2). */
function writePairs(path: string, n: number, labels?: readonly string[], rowGroupSize = 5000): void {
  mkdirSync(dirname(path), { recursive: true });
  parquetWriteFile({
    filename: path,
    rowGroupSize,
    columnData: [
      { name: "sentence1", data: Array.from({ length: n }, (_, i) => `s${i}`), type: "STRING" },
      { name: "sentence2", data: Array.from({ length: n }, () => "t"), type: "STRING" },
      { name: "label", data: BigInt64Array.from({ length: n }, (_, i) => BigInt(labels ? Number(labels[i]) : i % 2)), type: "INT64" },
      { name: "idx", data: Int32Array.from({ length: n }, (_, i) => i), type: "INT32" },
    ],
  });
}

function writeSentences(path: string, n: number, rowGroupSize: number): void {
  mkdirSync(dirname(path), { recursive: true });
  parquetWriteFile({
    filename: path,
    rowGroupSize,
    columnData: [
      { name: "sentence", data: Array.from({ length: n }, (_, i) => `row ${i}`), type: "STRING" },
      { name: "label", data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 2)), type: "INT64" },
      { name: "idx", data: Int32Array.from({ length: n }, (_, i) => i), type: "INT32" },
    ],
  });
}

describe("real split sizes: rows = golden torch.randperm(n, seed 42)", () => {
  it("rte: validation (277 rows) -> 138 validation / 139 test", async () => {
    const dataDir = join(tmp.dir, "glue");
    writePairs(join(dataDir, "rte", "validation-00000-of-00001.parquet"), 277, undefined, 50);
    const golden = Array.from(TORCH.get("rte.validation")!);
    const val = await loadTaskExamples("rte", "validation", { dataDir });
    const test = await loadTaskExamples("rte", "test", { dataDir });
    expect(val.map((e) => e.row)).toEqual(golden.slice(0, 138));
    expect(test.map((e) => e.row)).toEqual(golden.slice(138));
    expect(val[0]).toEqual({ row: golden[0], source: `sentence1: s${golden[0]} sentence2: t`, target: String(golden[0]! % 2), task: "rte" });
    expect((await loadTaskExamples("rte", "validation", { dataDir, limit: 7 })).map((e) => e.row)).toEqual(golden.slice(0, 7));
  });

  it("sst2: train (67,349 rows) -> 1,000 validation / 66,349 train; test = the validation split in order", async () => {
    const dataDir = join(tmp.dir, "sst2");
    writeSentences(join(dataDir, "sst2", "train-00000-of-00001.parquet"), 67_349, 4096);
    writeSentences(join(dataDir, "sst2", "validation-00000-of-00001.parquet"), 872, 1000);
    const golden = Array.from(TORCH.get("sst2.train")!);
    const val = await loadTaskExamples("sst2", "validation", { dataDir });
    expect(val.map((e) => e.row)).toEqual(golden.slice(0, 1000));
    expect(val.every((e) => e.source === `sentence: row ${e.row}` && e.target === String(e.row % 2))).toBe(true);
    const train = await loadTaskExamples("sst2", "train", { dataDir });
    expect(train.map((e) => e.row)).toEqual(golden.slice(1000));
    const test = await loadTaskExamples("sst2", "test", { dataDir });
    expect(test.map((e) => e.row)).toEqual(Array.from({ length: 872 }, (_, i) => i));
    expect(await sourceSplitSize("sst2", "validation", { dataDir })).toBe(67_349);
  });

  it("k-shot: numpy-permutation walk of the split train set (reference loop goldens)", async () => {
    const G = JSON.parse(readFileSync(join(FIXTURES, "kshot-goldens.json"), "utf8")) as {
      targetsByTask: Record<string, Record<string, string[]>>;
      cases: { task: string; n: number; seed: number; k: number; picked: number[] }[];
    };
    const dataDir = join(tmp.dir, "kshot");
    const labels = G.targetsByTask.rte!["250"]!;
    writePairs(join(dataDir, "rte", "train-00000-of-00001.parquet"), 250, labels, 64);
    for (const c of G.cases.filter((x) => x.task === "rte" && x.n === 250)) {
      const got = await loadTaskExamples("rte", "train", { dataDir, kShot: c.k, seed: c.seed });
      expect(got.map((e) => e.row), JSON.stringify({ k: c.k, seed: c.seed })).toEqual(c.picked);
    }
    // validation/test stay full-size under k-shot
    writePairs(join(dataDir, "rte", "validation-00000-of-00001.parquet"), 277);
    expect(await loadTaskExamples("rte", "validation", { dataDir, kShot: 16 })).toHaveLength(138);
  });
});

describe("caches and the hub", () => {
  const SHA = "0123456789abcdef0123456789abcdef01234567";
  const FILE = "rte/validation-00000-of-00001.parquet";
  const CONVERT_SHA = "fedcba9876543210fedcba9876543210fedcba98";
  const CONVERT_FILE = "mrpc/validation/0000.parquet";
  let parquetBytes: Buffer;
  let endpoint = "";
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    seen.push(`${req.method} ${path}`);
    if (path === "/api/datasets/nyu-mll/glue/revision/main") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: "nyu-mll/glue", sha: SHA, siblings: [{ rfilename: ".gitattributes" }, { rfilename: "README.md" }, { rfilename: "rte/train-00000-of-00001.parquet" }, { rfilename: FILE }] }));
      return;
    }
    if (path === "/api/datasets/nyu-mll/glue/revision/refs/convert/parquet") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: "nyu-mll/glue", sha: CONVERT_SHA, siblings: [{ rfilename: CONVERT_FILE }] }));
      return;
    }
    if (path === `/datasets/nyu-mll/glue/resolve/refs/convert/parquet/${CONVERT_FILE}`) {
      res.writeHead(200, { "x-repo-commit": CONVERT_SHA, etag: '"c0de"', "content-length": String(parquetBytes.length) });
      res.end(req.method === "HEAD" ? undefined : parquetBytes);
      return;
    }
    if (path === `/datasets/nyu-mll/glue/resolve/main/${FILE}`) {
      res.writeHead(200, { "x-repo-commit": SHA, etag: '"e7a9"', "content-length": String(parquetBytes.length) });
      res.end(req.method === "HEAD" ? undefined : parquetBytes);
      return;
    }
    res.writeHead(404, { "x-error-code": "EntryNotFound" }).end();
  });
  beforeAll(async () => {
    const src = join(tmp.dir, "serve", FILE);
    writePairs(src, 277, undefined, 100);
    parquetBytes = readFileSync(src);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const golden = () => Array.from(TORCH.get("rte.validation")!).slice(0, 138);

  it("downloads a missing split into the HF hub cache, then reads it from there", async () => {
    const hubCache = join(tmp.dir, "dl-hub");
    const env = { HF_HUB_CACHE: hubCache, HF_HOME: join(tmp.dir, "dl-home"), HF_DATASETS_CACHE: join(tmp.dir, "dl-ds") };
    const first = await loadTaskExamples("rte", "validation", { env, endpoint });
    expect(first.map((e) => e.row)).toEqual(golden());
    expect(seen).toContain("GET /api/datasets/nyu-mll/glue/revision/main");
    expect(seen.filter((s) => s.includes("/resolve/")).length).toBeGreaterThan(0);
    expect(readFileSync(join(hubCache, "datasets--nyu-mll--glue", "snapshots", SHA, ...FILE.split("/")))).toEqual(parquetBytes);
    expect(readFileSync(join(hubCache, "datasets--nyu-mll--glue", "refs", "main"), "utf8").trim()).toBe(SHA);
    const requests = seen.length;
    const again = await loadTaskExamples("rte", "test", { env, endpoint });
    expect(again).toHaveLength(139);
    expect(seen.length).toBe(requests); // served from the cache, no request
    // the same hub cache given as --data_dir
    expect((await loadTaskExamples("rte", "validation", { dataDir: hubCache })).map((e) => e.row)).toEqual(golden());
  });

  it("HF_HUB_OFFLINE without a cached copy is an error naming the repo and split", async () => {
    const env = { HF_HUB_CACHE: join(tmp.dir, "off-hub"), HF_HOME: join(tmp.dir, "off-home"), HF_HUB_OFFLINE: "1" };
    await expect(loadTaskExamples("rte", "validation", { env, endpoint })).rejects.toThrow(/nyu-mll\/glue: split 'validation' of config 'rte' is not in the hub cache/);
  });

  it("falls back to the parquet-conversion branch; a split on neither is an error listing both", async () => {
    const env = { HF_HUB_CACHE: join(tmp.dir, "miss-hub"), HF_HOME: join(tmp.dir, "miss-home") };
    const mrpc = await loadTaskExamples("mrpc", "validation", { env, endpoint });
    expect(mrpc).toHaveLength(138); // the 277-row file served as mrpc: half of it
    expect(seen).toContain(`GET /datasets/nyu-mll/glue/resolve/refs/convert/parquet/${CONVERT_FILE}`);
    await expect(loadTaskExamples("cola", "train", { env, endpoint })).rejects.toThrow(/nyu-mll\/glue: the hub repo has no files for config 'cola' split 'train' \(revisions tried: main \(4 files\), refs\/convert\/parquet \(1 files\)\)/);
  });

  it("finds the `datasets` library cache through HF_DATASETS_CACHE (newest version/hash folder)", async () => {
    const ds = join(tmp.dir, "ds-cache");
    const cols = (n: number, tag: string) => ({
      sentence1: Array.from({ length: n }, (_, i) => `${tag}${i}`),
      sentence2: Array.from({ length: n }, () => "t"),
      label: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 2)),
      idx: Int32Array.from({ length: n }, (_, i) => i),
    });
    writeArrowStream(join(ds, "glue", "rte", "1.0.0", "old", "glue-validation.arrow"), cols(277, "old"), 1000);
    await new Promise((r) => setTimeout(r, 20));
    writeArrowStream(join(ds, "nyu-mll___glue", "rte", "0.0.0", "new", "glue-validation.arrow"), cols(277, "s"), 100);
    const env = { HF_HUB_CACHE: join(tmp.dir, "ds-hub"), HF_DATASETS_CACHE: ds, HF_HUB_OFFLINE: "1" };
    const val = await loadTaskExamples("rte", "validation", { env });
    expect(val.map((e) => e.row)).toEqual(golden());
    expect(val[0]!.source).toBe(`sentence1: s${golden()[0]} sentence2: t`);
  });
});
