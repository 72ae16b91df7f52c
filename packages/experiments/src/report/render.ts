// Turns run records into the `dept report` outputs: a markdown report (all runs + best run per task next to
// the released reference numbers), CSV files and SVG learning curves.
import type { ReleasedReference } from "../reference/released.ts";
import type { RunRecord } from "./run-dir.ts";
import { lineChart, type Series } from "./svg.ts";

export interface ReportFiles {
  readonly markdown: string;
  /** File name -> contents (runs.csv, best.csv, curves/*.svg). */
  readonly files: ReadonlyMap<string, string>;
}

const METHOD_NAMES: Readonly<Record<string, string>> = { PROMPT_TUNING_LORA: "DePT", PROMPT_TUNING: "PT", LORA: "LoRA" };

export function methodName(peftType: string | null): string {
  return peftType === null ? "" : (METHOD_NAMES[peftType] ?? peftType);
}

/** Learning rates as the README writes them (3e-1); whole numbers plain; metrics with 2 decimals. */
function fmtLr(v: number | null): string {
  return v === null ? "" : v.toExponential();
}
function fmtInt(v: number | null): string {
  return v === null ? "" : String(v);
}
export function fmtMetric(v: number | null | undefined): string {
  return v === null || v === undefined ? "" : v.toFixed(2);
}

/** The released run's test value of the run's selection metric, and run minus released. */
function releasedTest(run: RunRecord, reference: ReleasedReference | null): { value: number | null; delta: number | null } {
  const ref = run.task === null ? undefined : reference?.tasks[run.task];
  if (ref === undefined || run.selectionMetric === null) return { value: null, delta: null };
  const value = ref.test_results[`test_${run.selectionMetric}`] ?? null;
  const own = run.test[run.selectionMetric];
  return { value, delta: value === null || own === undefined ? null : own - value };
}

/** Best run per task by the validation selection metric (first in label order on ties). */
export function bestPerTask(runs: readonly RunRecord[]): Map<string, RunRecord> {
  const best = new Map<string, RunRecord>();
  for (const run of runs) {
    if (run.task === null || run.evalSelection === null) continue;
    const current = best.get(run.task);
    if (current === undefined || run.evalSelection > (current.evalSelection ?? -Infinity)) best.set(run.task, run);
  }
  return new Map([...best.entries()].sort((a, b) => a[0].localeCompare(b[0])));
}

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string) => c.replace(/\|/g, "\\|");
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

function csvCell(value: string | number | boolean | null): string {
  if (value === null) return "";
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function csv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  return `${[header, ...rows].map((r) => r.map(csvCell).join(",")).join("\n")}\n`;
}

function testSummary(run: RunRecord): string {
  return Object.entries(run.test)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k} ${fmtMetric(v)}`)
    .join(", ");
}

/** File-system-safe name for a run label. */
export function slug(label: string): string {
  return label.replace(/[\\/]+/g, "__").replace(/[^A-Za-z0-9._-]+/g, "-");
}

function lossSeries(run: RunRecord): Series[] {
  const train = run.logHistory.filter((e) => e.loss !== undefined && e.step !== undefined).map((e) => [e.step!, e.loss!] as const);
  const evalLoss = run.logHistory.filter((e) => e.eval_loss !== undefined && e.step !== undefined).map((e) => [e.step!, e.eval_loss!] as const);
  return [
    { name: "train loss", points: train },
    ...(evalLoss.length > 0 ? [{ name: "eval loss", points: evalLoss }] : []),
  ];
}

function evalSeries(run: RunRecord, name: string): Series | null {
  if (run.selectionMetric === null) return null;
  const key = `eval_${run.selectionMetric}`;
  const points = run.logHistory.filter((e) => e[key] !== undefined && e.step !== undefined).map((e) => [e.step!, e[key]!] as const);
  return points.length > 0 ? { name, points } : null;
}

export function buildReport(runs: readonly RunRecord[], reference: ReleasedReference | null, opts: { curves: boolean }): ReportFiles {
  const files = new Map<string, string>();
  const best = bestPerTask(runs);
  const bestSet = new Set(best.values());
  const testNames = [...new Set(runs.flatMap((r) => Object.keys(r.test)))].sort();

  const runRows = runs.map((run) => {
    const ref = releasedTest(run, reference);
    return [
      run.label,
      run.task ?? "",
      methodName(run.peftType),
      fmtInt(run.m),
      fmtInt(run.r),
      fmtInt(run.s),
      fmtLr(run.lr),
      fmtLr(run.loraLr),
      fmtInt(run.maxSteps),
      fmtInt(run.bestStep),
      run.selectionMetric === null ? "" : `${run.selectionMetric} ${fmtMetric(run.evalSelection)}`,
      testSummary(run),
      ref.value === null ? "" : fmtMetric(ref.value),
      ref.delta === null ? "" : `${ref.delta >= 0 ? "+" : ""}${fmtMetric(ref.delta)}`,
    ];
  });
  const bestRows = [...best.entries()].map(([task, run]) => {
    const ref = releasedTest(run, reference);
    const released = reference?.tasks[task];
    return [
      task,
      run.label,
      methodName(run.peftType),
      fmtInt(run.m),
      fmtInt(run.r),
      fmtLr(run.lr),
      fmtLr(run.loraLr),
      fmtInt(run.maxSteps),
      fmtInt(run.bestStep),
      `${run.selectionMetric ?? ""} ${fmtMetric(run.evalSelection)}`,
      fmtMetric(run.selectionMetric === null ? null : run.test[run.selectionMetric]),
      ref.value === null ? "" : fmtMetric(ref.value),
      ref.delta === null ? "" : `${ref.delta >= 0 ? "+" : ""}${fmtMetric(ref.delta)}`,
      released === undefined ? "" : `${released.run_name} (best step ${released.best_step})`,
    ];
  });

  const md: string[] = [
    "# DePT run report",
    "",
    `${runs.length} run(s). Best run per task = highest validation value of the task's selection metric (spec §3). ` +
      (reference === null ? "" : `Released = the DePT t5-base checkpoint's test_results.json (${reference.source}).`),
    "",
    "## Best run per task",
    "",
    mdTable(
      ["task", "run", "method", "m", "r", "lr", "lora_lr", "steps", "best step", "eval (selection)", "test (selection)", "released test", "Δ vs released", "released run"],
      bestRows,
    ),
    "",
    "## All runs",
    "",
    mdTable(
      ["run", "task", "method", "m", "r", "s", "lr", "lora_lr", "steps", "best step", "eval (selection)", "test metrics", "released test", "Δ vs released"],
      runRows,
    ),
    "",
  ];

  const csvHeader = [
    "run", "dir", "task", "method", "m", "r", "s", "lr", "lora_lr", "max_steps", "global_step", "best_step",
    "selection_metric", "eval_selection", ...testNames.map((n) => `test_${n}`), "released_test_selection", "delta_vs_released", "best_for_task",
  ];
  const csvRows = runs.map((run) => {
    const ref = releasedTest(run, reference);
    return [
      run.label, run.dir, run.task, methodName(run.peftType), run.m, run.r, run.s, run.lr, run.loraLr, run.maxSteps, run.globalStep, run.bestStep,
      run.selectionMetric, run.evalSelection, ...testNames.map((n) => run.test[n] ?? null), ref.value, ref.delta, bestSet.has(run),
    ];
  });
  files.set("runs.csv", csv(csvHeader, csvRows));
  files.set(
    "best.csv",
    csv(
      ["task", "run", "method", "m", "r", "lr", "lora_lr", "max_steps", "best_step", "selection_metric", "eval_selection", "test_selection", "released_test_selection", "delta_vs_released"],
      [...best.entries()].map(([task, run]) => {
        const ref = releasedTest(run, reference);
        return [
          task, run.label, methodName(run.peftType), run.m, run.r, run.lr, run.loraLr, run.maxSteps, run.bestStep, run.selectionMetric, run.evalSelection,
          run.selectionMetric === null ? null : (run.test[run.selectionMetric] ?? null), ref.value, ref.delta,
        ];
      }),
    ),
  );

  if (opts.curves) {
    md.push("## Learning curves", "");
    const byTask = new Map<string, RunRecord[]>();
    for (const run of runs) {
      if (run.logHistory.length === 0) continue;
      const name = slug(run.label);
      files.set(`curves/${name}.loss.svg`, lineChart({ title: `${run.label}: loss`, xLabel: "step", yLabel: "loss", series: lossSeries(run) }));
      const ev = evalSeries(run, `eval ${run.selectionMetric ?? ""}`);
      const links = [`[loss](curves/${name}.loss.svg)`];
      if (ev !== null) {
        files.set(
          `curves/${name}.eval.svg`,
          lineChart({
            title: `${run.label}: validation ${run.selectionMetric ?? ""}`,
            xLabel: "step",
            yLabel: run.selectionMetric ?? "",
            series: [ev],
            markers: run.bestStep === null ? [] : [{ x: run.bestStep, label: `best ${run.bestStep}` }],
          }),
        );
        links.push(`[eval ${run.selectionMetric ?? ""}](curves/${name}.eval.svg)`);
      }
      md.push(`- ${run.label}: ${links.join(", ")}`);
      if (run.task !== null) byTask.set(run.task, [...(byTask.get(run.task) ?? []), run]);
    }
    for (const [task, taskRuns] of [...byTask.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      const series = taskRuns.map((r) => evalSeries(r, r.label)).filter((s): s is Series => s !== null);
      if (taskRuns.length < 2 || series.length === 0) continue;
      const metric = taskRuns[0]!.selectionMetric ?? "";
      files.set(`curves/task-${slug(task)}.eval.svg`, lineChart({ title: `${task}: validation ${metric}, all runs`, xLabel: "step", yLabel: metric, series }));
      md.push(`- ${task} (all ${taskRuns.length} runs): [eval ${metric}](curves/task-${slug(task)}.eval.svg)`);
    }
    md.push("");
  }
  return { markdown: md.join("\n"), files };
}
