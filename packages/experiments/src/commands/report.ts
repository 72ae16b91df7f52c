// `dept report DIR... [--out DIR]`: collects HF-style run dirs (trainer_state.json / all_results.json /
// test_results.json) under the given dirs and prints a markdown table of every run and of the best run per
// task (by the task's validation selection metric) next to the released DePT t5-base test numbers. With
// --out it also writes report.md, runs.csv, best.csv and SVG learning curves (curves/*.svg).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { bool, list, optStr, UsageError } from "../args.ts";
import type { Command } from "../command.ts";
import { releasedReference } from "../reference/released.ts";
import { buildReport } from "../report/render.ts";
import { findRunDirs, readRunDir } from "../report/run-dir.ts";

export const reportCommand: Command = {
  name: "report",
  summary: "aggregate run dirs into markdown/CSV tables and SVG learning curves, next to the released DePT numbers",
  options: [
    { name: "dirs", type: "string[]", positional: true, help: "run dirs or folders holding run dirs (searched recursively)" },
    { name: "out", type: "string", help: "write report.md, runs.csv, best.csv and curves/*.svg into this dir" },
    { name: "no_reference", type: "boolean", help: "leave out the released t5-base reference columns" },
  ],
  async run(options, io) {
    const roots = list(options, "dirs");
    if (roots.length === 0) throw new UsageError("dept report: give at least one DIR (run dir or a folder of run dirs)");
    const found = findRunDirs(roots.map((d) => resolve(d)));
    if (found.length === 0) {
      throw new UsageError(`dept report: no run dirs (with all_results.json, test_results.json or trainer_state.json) under ${roots.join(", ")}`);
    }
    const runs = [];
    for (const { dir, label } of found) runs.push(await readRunDir(dir, label));
    const out = optStr(options, "out");
    const report = buildReport(runs, bool(options, "no_reference") ? null : releasedReference(), { curves: out !== undefined });
    io.stdout(report.markdown);
    if (out !== undefined) {
      const files = new Map([["report.md", `${report.markdown}\n`], ...report.files]);
      for (const [name, contents] of files) {
        const path = join(out, name);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, contents);
      }
      io.stderr(`dept report: wrote ${files.size} files to ${out}`);
    }
    return 0;
  },
};
