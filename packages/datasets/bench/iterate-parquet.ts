// Benchmark (not a test): iterate a generated 500k-row, yelp-shaped Parquet file (text + int64 label)
// (three row-group layouts) and the same rows as a `datasets` Arrow cache file, and report rows/s and peak RSS, plus the yelp_polarity train split (1,000 held out, first 100,000 of
// the seed-42 shuffled remainder kept) loaded through loadTaskExamples. Each measurement runs in a fresh
// child process so its peak RSS (process.resourceUsage().maxRSS) is its own; generation runs in another.
// Writes bench-results/iterate-parquet.{json,md}.  Usage: pnpm --filter @dept/datasets bench [rows]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parquetWriteFile } from "hyparquet-writer";
import { ArrowReader, loadTaskExamples, ParquetReader } from "../src/index.ts";
import { writeArrowStream } from "../test/helpers.ts";

const SELF = fileURLToPath(import.meta.url);
const PACKAGE = join(import.meta.dirname, "..");
const TSX = join(PACKAGE, "node_modules", ".bin", "tsx");
/** Peak RSS the iteration must stay under (task requirement). */
const RSS_LIMIT_MIB = 1024;

/**
 * Review-like text of 60..1,400 characters (yelp_polarity's mean is ~730), unique per row and drawn from
 * a seeded xorshift over a 2,000-word vocabulary, so neither dictionary encoding nor string sharing
 * flatters the memory numbers.
 */
const VOCAB = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}${"abcdefgh".slice(0, 1 + (i % 8))}`);
function text(i: number): string {
  let x = (i + 1) * 2654435761 >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const n = 10 + (next() % 190);
  const words = [`#${i}`];
  for (let j = 0; j < n; j++) words.push(VOCAB[next() % VOCAB.length]!);
  return `${words.join(" ")}.`;
}

function generate(path: string, rows: number, rowGroupSize: number, offsetIndex: boolean): void {
  parquetWriteFile({
    filename: path,
    rowGroupSize,
    columnData: [
      { name: "label", data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % 2)), type: "INT64", offsetIndex },
      { name: "text", data: Array.from({ length: rows }, (_, i) => text(i)), type: "STRING", offsetIndex },
    ],
  });
}

/** The same rows as a `datasets` cache file: Arrow IPC stream, plain Utf8, 1,000-row record batches. */
function generateArrow(path: string, rows: number): void {
  writeArrowStream(path, { label: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % 2)), text: Array.from({ length: rows }, (_, i) => text(i)) }, 1000);
}

async function measure(mode: string, path: string): Promise<void> {
  const t0 = performance.now();
  let rows = 0;
  let chars = 0;
  if (mode === "iterate") {
    for await (const batch of (path.endsWith(".arrow") ? new ArrowReader(path) : new ParquetReader(path)).batches()) {
      for (const r of batch.rows) chars += (r.text as string).length;
      rows += batch.rows.length;
    }
  } else {
    const examples = await loadTaskExamples("yelp_polarity", "train", { dataDir: path });
    rows = examples.length;
    for (const e of examples) chars += e.source.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ mode, rows, chars, seconds, rowsPerSec: rows / seconds, maxRssMiB }) + "\n");
}

interface Measurement {
  mode: string;
  rows: number;
  chars: number;
  seconds: number;
  rowsPerSec: number;
  maxRssMiB: number;
}

function child(args: string[]): string {
  return execFileSync(TSX, [SELF, ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
}

function mainBench(): void {
  const rows = Number(process.argv[2] ?? 500_000);
  // pyarrow (hence `datasets` and most hub files) writes no page index by default: then every slice of a
  // big row group fetches the whole compressed column chunk.
  const configs = [
    { name: "one row group, no page index (pyarrow default)", rowGroupSize: rows, offsetIndex: false },
    { name: "one row group, offset index", rowGroupSize: rows, offsetIndex: true },
    { name: "10,000-row row groups", rowGroupSize: 10_000, offsetIndex: true },
  ];
  const dir = join(tmpdir(), "dept-datasets-bench-v3");
  const results: (Measurement & { config: string; rowGroupSize: number; fileMiB: number; underLimit: boolean })[] = [];
  for (const cfg of configs) {
    // yelp_polarity layout: <config>/<split>-00000-of-00001.parquet under a data dir per config
    const dataDir = join(dir, `rows${rows}-rg${cfg.rowGroupSize}-oi${cfg.offsetIndex}`);
    const file = join(dataDir, "plain_text", "train-00000-of-00001.parquet");
    if (!existsSync(file)) {
      mkdirSync(join(dataDir, "plain_text"), { recursive: true });
      child(["generate", file, String(rows), String(cfg.rowGroupSize), String(cfg.offsetIndex)]);
    }
    for (const mode of ["iterate", "yelp-train"]) {
      const r = JSON.parse(child(["measure", mode, mode === "iterate" ? file : dataDir])) as Measurement;
      results.push({ config: cfg.name, rowGroupSize: cfg.rowGroupSize, fileMiB: statSync(file).size / 2 ** 20, ...r, underLimit: r.maxRssMiB < RSS_LIMIT_MIB });
      console.error(JSON.stringify(results.at(-1)));
    }
  }
  {
    // `datasets` library cache layout: <name>/<config>/<version>/<hash>/<name>-<split>.arrow
    const dataDir = join(dir, `rows${rows}-arrow`);
    const file = join(dataDir, "fancyzhx___yelp_polarity", "plain_text", "0.0.0", "bench", "yelp_polarity-train.arrow");
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      child(["generate-arrow", file, String(rows)]);
    }
    for (const mode of ["iterate", "yelp-train"]) {
      const r = JSON.parse(child(["measure", mode, mode === "iterate" ? file : dataDir])) as Measurement;
      results.push({ config: "datasets cache Arrow IPC stream, 1,000-row batches", rowGroupSize: 1000, fileMiB: statSync(file).size / 2 ** 20, ...r, underLimit: r.maxRssMiB < RSS_LIMIT_MIB });
      console.error(JSON.stringify(results.at(-1)));
    }
  }
  const out = join(PACKAGE, "bench-results");
  mkdirSync(out, { recursive: true });
  const env = { node: process.version, platform: `${process.platform}-${process.arch}`, date: new Date().toISOString(), rows };
  writeFileSync(join(out, "iterate-parquet.json"), JSON.stringify({ env, results }, null, 1) + "\n");
  const md = [
    `# Parquet iteration benchmark (${rows.toLocaleString("en")} rows, node ${process.version})`,
    "",
    "| file | file MiB | measurement | rows | s | rows/s | peak RSS MiB | < 1 GiB |",
    "|---|---|---|---|---|---|---|---|",
    ...results.map((r) => `| ${r.config} | ${r.fileMiB.toFixed(0)} | ${r.mode} | ${r.rows} | ${r.seconds.toFixed(2)} | ${Math.round(r.rowsPerSec).toLocaleString("en")} | ${r.maxRssMiB.toFixed(0)} | ${r.underLimit ? "yes" : "NO"} |`),
    "",
  ].join("\n");
  writeFileSync(join(out, "iterate-parquet.md"), md);
  console.log(md);
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === "generate") generate(rest[0]!, Number(rest[1]), Number(rest[2]), rest[3] === "true");
else if (cmd === "generate-arrow") generateArrow(rest[0]!, Number(rest[1]));
else if (cmd === "measure") await measure(rest[0]!, rest[1]!);
else mainBench();
