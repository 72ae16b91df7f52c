import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildReleasedRun, releasedReference } from "../src/reference/released.ts";
import { TASK_SELECTION_METRIC } from "../src/report/selection.ts";

const RELEASED = fileURLToPath(new URL("./fixtures/released/", import.meta.url));
/** The full set of released checkpoints beside the repo (not in a fresh clone, hence the skip below). */
const SHARED = "/work/shared/assets/dept-checkpoints";

describe("released t5-base reference numbers", () => {
  const reference = releasedReference();

  it("holds the 17 released tasks with their source commit", () => {
    expect(Object.keys(reference.tasks)).toHaveLength(17);
    expect(reference.commit).toBe("f0266a774a45c62ce32f159e2182583f1878546c");
    expect(reference.source).toContain("github.com/ZhengxiangShi/DePT");
    for (const [task, run] of Object.entries(reference.tasks)) {
      expect(run.selection_metric, task).toBe(TASK_SELECTION_METRIC[task]);
      expect(typeof run.test_results[`test_${run.selection_metric}`], task).toBe("number");
      expect(run.run_name.startsWith(`${task}_lr`), task).toBe(true);
    }
  });

  it.each(["cola", "mrpc", "superglue-wic"])("%s: rebuilding from the verbatim checkpoint files gives the stored entry", async (task) => {
    const dir = join(RELEASED, task);
    expect(await buildReleasedRun(dir)).toEqual(reference.tasks[task]);
    // and the stored test numbers are the file's, value for value
    expect(reference.tasks[task]!.test_results).toEqual(JSON.parse(readFileSync(join(dir, "test_results.json"), "utf8")));
  });

  it("matches the spec §3 table of released hyperparameters and test results", () => {
    const t = reference.tasks;
    expect([t.cola!.m, t.cola!.r, t.cola!.lora_embedding_lr, t.cola!.best_step]).toEqual([80, 15, 5e-4, 38000]);
    expect([t.nq!.m, t.nq!.r, t.nq!.max_length, t.nq!.max_steps, t.nq!.best_step]).toEqual([60, 24, 512, 300000, 264000]);
    expect(t["superglue-multirc"]!.max_length).toBe(348);
    expect(t.sst2!.test_results.test_accuracy!.toFixed(2)).toBe("94.15");
    expect(t.stsb!.test_results.test_pearson!.toFixed(2)).toBe("90.77");
  });

  // Skipped where /work/shared is absent (a fresh clone): the three fixture copies above cover that case.
  it.skipIf(!existsSync(SHARED))("all 17 entries equal a regeneration from the shared checkpoint copies", async () => {
    for (const task of Object.keys(reference.tasks)) expect(await buildReleasedRun(join(SHARED, task)), task).toEqual(reference.tasks[task]);
  });
});
