// `dept sweep RECIPE [--dry-run] [--only PATTERN] [--output_root DIR]`: expands a recipe's grid, lists the
// runs, then runs them one after another through `dept train <config.json>` (see src/sweep/sweep.ts).
import { resolve } from "node:path";
import { bool, optStr, str, UsageError } from "../args.ts";
import type { Command } from "../command.ts";
import { expandRecipe, loadRecipe, matchesPattern, type PlannedRun } from "../recipes/recipe.ts";
import { resolveTrainCommand, runState, runSweep, SWEEP_LOG } from "../sweep/sweep.ts";
import type { TrainFlagValue } from "../train-flags.ts";

function describe(values: Readonly<Record<string, TrainFlagValue>>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}

function stateText(run: PlannedRun): string {
  const state = runState(run.outputDir);
  return state.kind === "done" ? "done" : state.kind === "resume" ? `resume ${state.checkpoint}` : "pending";
}

export const sweepCommand: Command = {
  name: "sweep",
  summary: "run a recipe's grid of train runs one after another (resumable; --dry-run lists and validates)",
  options: [
    { name: "recipe", type: "string", positional: true, required: true, help: "recipe JSON file (packages/experiments/recipes/*.json)" },
    { name: "dry-run", type: "boolean", aliases: ["dry_run"], help: "validate the recipe and list its runs without running them" },
    { name: "only", type: "string", help: "run only names matching PATTERN: a glob (* and ?) or, without wildcards, a substring; comma = or" },
    { name: "output_root", type: "string", help: "put run dirs under DIR instead of the recipe's output_root" },
  ],
  async run(options, io) {
    const file = str(options, "recipe");
    const recipe = await loadRecipe(file);
    const cwd = process.cwd();
    const outputRoot = resolve(cwd, optStr(options, "output_root") ?? recipe.outputRoot);
    const all = expandRecipe(recipe, { cwd, outputRoot });
    const only = optStr(options, "only");
    const runs = only === undefined ? all : all.filter((r) => matchesPattern(r.name, only));
    if (runs.length === 0) throw new UsageError(`dept sweep: --only '${only ?? ""}' matches none of the ${all.length} runs of ${file}`);

    io.stdout(`recipe ${recipe.name}: ${recipe.description}`);
    io.stdout(`source: ${recipe.source}`);
    io.stdout(`output_root: ${outputRoot}`);
    io.stdout(`${runs.length} run(s)${only === undefined ? "" : ` of ${all.length} (--only ${only})`}:`);
    const width = Math.max(...runs.map((r) => r.name.length));
    const states = runs.map(stateText);
    runs.forEach((run, i) => io.stdout(`  ${run.name.padEnd(width)}  ${states[i]!.padEnd(8)}  ${describe(run.varying)}`));
    const count = (s: string) => states.filter((t) => t.startsWith(s)).length;
    io.stdout(`${count("done")} done, ${count("resume")} to resume, ${count("pending")} pending`);
    if (bool(options, "dry-run")) return 0;

    const outcomes = await runSweep(runs, { recipe: recipe.name, outputRoot, trainCommand: resolveTrainCommand(), cwd, io });
    const failed = outcomes.filter((o) => o.status === "failed");
    const n = (s: string) => outcomes.filter((o) => o.status === s).length;
    io.stdout(`sweep ${recipe.name}: ${n("completed")} completed, ${n("skipped")} skipped, ${failed.length} failed (log: ${resolve(outputRoot, SWEEP_LOG)})`);
    for (const f of failed) io.stdout(`  failed: ${f.name}: ${f.error ?? ""}`);
    return failed.length > 0 ? 1 : 0;
  },
};
