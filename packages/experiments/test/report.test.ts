import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { bestPerTask } from "../src/report/render.ts";
import { bestFromHistory, findRunDirs, parseHfJson, parseReadmeRunName, readRunDir } from "../src/report/run-dir.ts";
import { selectionMetric, TASK_SELECTION_METRIC } from "../src/report/selection.ts";
import { README_TASKS } from "../src/train-flags.ts";
import { lineChart, niceTicks } from "../src/report/svg.ts";
import { capture } from "./helpers/capture.ts";

const RELEASED = fileURLToPath(new URL("./fixtures/released/", import.meta.url));
const PACKAGE = fileURLToPath(new URL("../", import.meta.url));
const TASKS = ["cola", "mrpc", "superglue-wic"];

/**
 * Rough XML well-formedness check (Node has no XML parser): one root element, every start tag closed in order,
 * attributes quoted, no raw '<' or stray '&' in text. Returns the element names in document order.
 */
function checkXml(xml: string): string[] {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: string[] = [];
  const names: string[] = [];
  let roots = 0;
  let pos = 0;
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  while (pos < body.length) {
    const lt = body.indexOf("<", pos);
    const text = body.slice(pos, lt < 0 ? body.length : lt);
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`stray & in text: ${text}`);
    if (stack.length === 0 && text.trim() !== "") throw new Error(`text outside the root: ${text}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (m === null) throw new Error(`malformed tag at ${lt}: ${body.slice(lt, lt + 60)}`);
    const [, close, name, , selfClose] = m;
    if (close === "/") {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name!}> closes <${open ?? "nothing"}>`);
    } else {
      if (stack.length === 0) roots++;
      names.push(name!);
      if (selfClose !== "/") stack.push(name!);
    }
    pos = tag.lastIndex;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join("> <")}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return names;
}

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = text.trim().split("\n").map((l) => l.split(","));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

describe("run dirs", () => {
  it("reads a released checkpoint dir: hyperparameters, best step, selection value, test metrics", async () => {
    const cola = await readRunDir(join(RELEASED, "cola"));
    expect(cola).toMatchObject({
      task: "cola", peftType: "PROMPT_TUNING_LORA", m: 80, r: 15, s: 256, lr: 0.3, loraLr: 5e-4, maxSteps: 40000, globalStep: 40000,
      bestStep: 38000, selectionMetric: "matthews_correlation", evalSelection: 55.798309150862636,
    });
    expect(cola.test).toEqual({ matthews_correlation: 63.794864156250284 });
    expect(cola.logHistory.filter((e) => e.loss !== undefined)).toHaveLength(80); // logged every 500 of 40k steps
  });

  it("selection metric map agrees with every fixture's trainer_state (best step = argmax of eval_<metric>)", async () => {
    for (const task of TASKS) {
      const state = JSON.parse(readFileSync(join(RELEASED, task, "trainer_state.json"), "utf8")) as { best_model_checkpoint: string; best_metric: number };
      const run = await readRunDir(join(RELEASED, task));
      const best = bestFromHistory(run.logHistory, TASK_SELECTION_METRIC[task]!);
      expect(best, task).toEqual({ step: Number(/checkpoint-(\d+)$/.exec(state.best_model_checkpoint)![1]), value: state.best_metric });
    }
  });

  it("has a selection metric for every task a recipe may name (spec §3)", () => {
    for (const task of README_TASKS) expect(selectionMetric(task), task).toBeDefined();
    expect([selectionMetric("stsb"), selectionMetric("superglue-cb"), selectionMetric("superglue-multirc"), selectionMetric("nq"), selectionMetric("mrpc")]).toEqual([
      "pearson", "f1_multiclass", "f1", "em", "accuracy",
    ]);
    expect(selectionMetric("not-a-task")).toBeUndefined();
  });

  it("keeps the earliest step on ties, like HF's strict greater-than", () => {
    const history: Record<string, number>[] = [{ step: 1, eval_accuracy: 50 }, { step: 2, eval_accuracy: 60 }, { step: 3, eval_accuracy: 60 }, { step: 4, loss: 1 }];
    expect(bestFromHistory(history, "accuracy")).toEqual({ step: 2, value: 60 });
    expect(bestFromHistory(history, "f1")).toBeNull();
  });

  it("parses the reference's run-dir names", () => {
    expect(parseReadmeRunName("superglue-wic_lr3e-1_loralr1e-3_pl60_r30_st20000_ml256")).toEqual({
      task: "superglue-wic", lr: 0.3, loraLr: 1e-3, m: 60, r: 30, steps: 20000, s: 256,
    });
    expect(parseReadmeRunName("cola")).toBeNull();
  });

  it("reads Python's bare NaN as null and names the file of broken JSON", () => {
    expect(parseHfJson('{"eval_pearson": NaN, "x": [1, -Infinity]}', "f.json")).toEqual({ eval_pearson: null, x: [1, null] });
    expect(() => parseHfJson("{", "dir/f.json")).toThrow("dir/f.json: not valid JSON");
  });

  it("finds run dirs recursively and skips checkpoint dirs", () => {
    const dir = mkdtempSync(join(tmpdir(), "dept-find-"));
    cpSync(join(RELEASED, "mrpc"), join(dir, "grid", "a"), { recursive: true });
    cpSync(join(RELEASED, "mrpc"), join(dir, "grid", "b", "checkpoint-9000"), { recursive: true });
    expect(findRunDirs([join(dir, "grid")]).map((r) => r.label)).toEqual(["grid/a"]);
    expect(findRunDirs([join(dir, "grid", "a")]).map((r) => r.label)).toEqual(["a"]);
  });
});

describe("dept report", () => {
  it("writes the tables, CSVs and well-formed SVG curves for the released fixtures", async () => {
    const out = mkdtempSync(join(tmpdir(), "dept-report-"));
    const c = capture();
    expect(await main(["report", RELEASED, "--out", out], c.io)).toBe(0);
    const md = c.out.join("\n");
    expect(readFileSync(join(out, "report.md"), "utf8")).toBe(`${md}\n`);
    expect(md).toContain(
      "| cola | released/cola | DePT | 80 | 15 | 3e-1 | 5e-4 | 40000 | 38000 | matthews_correlation 55.80 | 63.79 | 63.79 | +0.00 | cola_lr3e-1_loralr5e-4_pl80_r15_st40000 (best step 38000) |",
    );
    expect(md).toContain("| released/mrpc | mrpc | DePT | 60 | 30 | 256 | 3e-1 | 5e-3 | 10000 | 9000 | accuracy 88.73 | accuracy 90.69, f1 93.29 | 90.69 | +0.00 |");

    const runs = parseCsv(readFileSync(join(out, "runs.csv"), "utf8"));
    expect(runs.map((r) => r.task)).toEqual(TASKS);
    expect(runs[2]).toMatchObject({ lr: "0.3", lora_lr: "0.001", best_step: "18000", eval_selection: "69.27899686520375", test_accuracy: "68.65203761755487", best_for_task: "true" });
    expect(parseCsv(readFileSync(join(out, "best.csv"), "utf8")).map((r) => r.task)).toEqual(TASKS);

    const curves = readdirSync(join(out, "curves")).sort();
    expect(curves).toEqual(TASKS.flatMap((t) => [`released__${t}.eval.svg`, `released__${t}.loss.svg`]));
    for (const file of curves) {
      const svg = readFileSync(join(out, "curves", file), "utf8");
      const names = checkXml(svg);
      expect(names[0]).toBe("svg");
      expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(names).toContain("polyline");
    }
    // One polyline point per logged training loss (cola logs every 500 of 40k steps) and per eval (every 1000).
    const loss = readFileSync(join(out, "curves", "released__cola.loss.svg"), "utf8");
    const points = [...loss.matchAll(/<polyline[^>]*data-name="([^"]+)"[^>]*points="([^"]*)"/g)].map((m) => [m[1], m[2]!.split(" ").length]);
    expect(points).toEqual([["train loss", 80], ["eval loss", 40]]);
    const evalCurve = readFileSync(join(out, "curves", "released__cola.eval.svg"), "utf8");
    expect(evalCurve).toMatch(/<line class="marker"[^>]*\/>\n<text[^>]*>best 38000<\/text>/);
  });

  it("picks the best run of a grid per task by the validation selection metric", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dept-grid-"));
    for (const [name, best] of [["mrpc_lr3e-1_loralr5e-3_pl60_r30_st10000", 88.7], ["mrpc_lr4e-1_loralr5e-4_pl60_r30_st10000", 89.5]] as const) {
      const run = join(dir, name);
      cpSync(join(RELEASED, "mrpc"), run, { recursive: true });
      const state = JSON.parse(readFileSync(join(run, "trainer_state.json"), "utf8")) as Record<string, unknown>;
      writeFileSync(join(run, "trainer_state.json"), JSON.stringify({ ...state, best_metric: best, best_model_checkpoint: `x/${name}/checkpoint-5000` }));
    }
    const records = await Promise.all(findRunDirs([dir]).map(({ dir: d, label }) => readRunDir(d, label)));
    expect(records.map((r) => [r.lr, r.loraLr, r.bestStep])).toEqual([[0.3, 5e-3, 5000], [0.4, 5e-4, 5000]]);
    const best = bestPerTask(records).get("mrpc")!;
    expect(best.label).toMatch(/mrpc_lr4e-1/);

    const out = mkdtempSync(join(tmpdir(), "dept-grid-out-"));
    const c = capture();
    expect(await main(["report", dir, "--out", out], c.io)).toBe(0);
    expect(readdirSync(join(out, "curves"))).toContain("task-mrpc.eval.svg");
    const overlay = readFileSync(join(out, "curves", "task-mrpc.eval.svg"), "utf8");
    checkXml(overlay);
    expect([...overlay.matchAll(/<polyline/g)]).toHaveLength(2);
    const rows = parseCsv(readFileSync(join(out, "runs.csv"), "utf8"));
    expect(rows.map((r) => r.best_for_task)).toEqual(["false", "true"]);
  });

  it("reports a sweep's run dirs with the config the sweep wrote", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dept-sweep-report-"));
    const run = join(dir, "rte_lr3e-1");
    cpSync(join(RELEASED, "mrpc"), run, { recursive: true }); // any HF output; the config below names the task
    writeFileSync(
      join(run, "dept-run-config.json"),
      JSON.stringify({ task_name: "rte", peft_type: "PROMPT_TUNING", prefix_length: 100, learning_rate: 0.3, max_steps: 10000, max_seq_length: 256 }),
    );
    const [record] = await Promise.all(findRunDirs([dir]).map(({ dir: d, label }) => readRunDir(d, label)));
    expect(record).toMatchObject({ task: "rte", peftType: "PROMPT_TUNING", m: 100, r: null, lr: 0.3, loraLr: null, selectionMetric: "accuracy" });
    const c = capture();
    expect(await main(["report", dir], c.io)).toBe(0);
    // rte's released test accuracy is 79.14; this run's test accuracy (copied from mrpc) is 90.69.
    expect(c.out.join("\n")).toContain(`| ${record!.label} | rte | PT | 100 |  | 256 | 3e-1 |  | 10000 | 9000 | accuracy 88.73 | accuracy 90.69, f1 93.29 | 79.14 | +11.55 |`);
  });

  it("falls back to the trainer's training_args.json of the newest checkpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dept-args-"));
    cpSync(join(RELEASED, "mrpc"), dir, { recursive: true });
    for (const [step, lr] of [[3, 0.3], [12, 0.4]] as const) {
      cpSync(join(RELEASED, "mrpc", "trainer_state.json"), join(dir, `checkpoint-${step}`, "trainer_state.json"));
      writeFileSync(join(dir, `checkpoint-${step}`, "training_args.json"), JSON.stringify({ task_name: "rte", peft_type: "PROMPT_TUNING_LORA", prefix_length: 7, r: 3, learning_rate: lr, lora_embedding_lr: null, max_steps: 12 }));
    }
    const record = await readRunDir(dir);
    expect(record).toMatchObject({ task: "rte", m: 7, r: 3, lr: 0.4, loraLr: null, maxSteps: 12, sources: expect.arrayContaining([join("checkpoint-12", "training_args.json")]) as unknown });
  });

  it("exits 2 for missing dirs or dirs without runs", async () => {
    const c = capture();
    expect(await main(["report", "/no/such/dir"], c.io)).toBe(2);
    expect(c.err[0]).toContain("no such directory: /no/such/dir");
    const d = capture();
    expect(await main(["report", mkdtempSync(join(tmpdir(), "dept-empty-"))], d.io)).toBe(2);
    expect(d.err[0]).toMatch(/no run dirs/);
    const e = capture();
    expect(await main(["report"], e.io)).toBe(2);
  });

  it("runs as a real subprocess through tsx", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", join(PACKAGE, "src/cli.ts"), "report", join(RELEASED, "superglue-wic")], {
      cwd: PACKAGE,
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("| superglue-wic | superglue-wic | DePT | 60 | 30 | 3e-1 | 1e-3 | 20000 | 18000 | accuracy 69.28 | 68.65 | 68.65 | +0.00 |");
  });
});

describe("svg", () => {
  it("draws an empty chart and escapes text", () => {
    const svg = lineChart({ title: "a < b & c", xLabel: "x", yLabel: "y", series: [] });
    expect(checkXml(svg)).not.toContain("polyline");
    expect(svg).toContain("a &lt; b &amp; c");
    expect(svg).toContain("no data");
  });
  it("handles a single point and a flat series", () => {
    const svg = lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [{ name: "s", points: [[5, 1]] }] });
    expect(checkXml(svg)).toContain("circle");
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
  it("picks 1/2/5 ticks", () => {
    expect(niceTicks(0, 40000)).toEqual([0, 10000, 20000, 30000, 40000]);
    expect(niceTicks(0.13, 1.1)).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });
  it("the XML checker rejects broken documents (so the checks above can fail)", () => {
    expect(() => checkXml("<svg><g></svg>")).toThrow();
    expect(() => checkXml('<svg><text x="1">a & b</text></svg>')).toThrow(/stray &/);
    expect(() => checkXml("<svg/><svg/>")).toThrow(/2 root/);
  });
});
