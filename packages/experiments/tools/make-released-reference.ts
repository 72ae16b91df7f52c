// Regenerates src/reference/released-t5-base.json from the released DePT checkpoints
// (default ../shared/assets/dept-checkpoints beside the repository: verbatim copies of checkpoints/<task>/*.json of
// github.com/ZhengxiangShi/DePT; its manifest.json names the commit).
// Usage: tsx tools/make-released-reference.ts [CHECKPOINTS_DIR] [--check]
//   --check: exit 1 if the stored file differs from what the checkpoints give (nothing written).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReleasedRun, type ReleasedReference, type ReleasedRun } from "../src/reference/released.ts";

const args = process.argv.slice(2);
const check = args.includes("--check");
const dir = args.find((a) => !a.startsWith("--")) ?? fileURLToPath(new URL("../../../../shared/assets/dept-checkpoints", import.meta.url));
const out = fileURLToPath(new URL("../src/reference/released-t5-base.json", import.meta.url));

const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { source_repo: string; commit: string };
const tasks: Record<string, ReleasedRun> = {};
for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
  if (!entry.isDirectory() || !existsSync(join(dir, entry.name, "test_results.json"))) continue;
  tasks[entry.name] = await buildReleasedRun(join(dir, entry.name));
}
const reference: ReleasedReference = {
  description:
    "Released DePT t5-base runs: hyperparameters (m, r, max_length from adapter_config.json; LRs and steps from the run dir name in trainer_state.json best_model_checkpoint), best step and validation selection metric (trainer_state.json best_metric) and the test metrics (test_results.json, verbatim, x100).",
  source: `${manifest.source_repo} checkpoints/<task>/{test_results,trainer_state,adapter_config}.json at commit ${manifest.commit} (copied verbatim into ../shared/assets/dept-checkpoints beside this repository)`,
  commit: manifest.commit,
  generated_by: "packages/experiments/tools/make-released-reference.ts",
  tasks,
};
const text = `${JSON.stringify(reference, null, 2)}\n`;
if (check) {
  const same = existsSync(out) && readFileSync(out, "utf8") === text;
  console.log(same ? `${out} is up to date (${Object.keys(tasks).length} tasks)` : `${out} differs from ${dir}`);
  process.exitCode = same ? 0 : 1;
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out} (${Object.keys(tasks).length} tasks from ${dir})`);
}
