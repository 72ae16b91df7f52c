// Checkpoint rotation with HF Trainer semantics (trainer.py `_sorted_checkpoints` + `_rotate_checkpoints`):
// checkpoints are ordered by step; the best checkpoint is moved to the second-to-last position so it survives;
// with save_total_limit 1 and a best checkpoint that is not the newest, two are kept (best + newest, so a run
// can still resume); the oldest beyond the limit are deleted.
import { readdir, rm } from "node:fs/promises";
import { basename, join, resolve } from "node:path";

export const CHECKPOINT_PREFIX = "checkpoint";

export function checkpointDirName(step: number): string {
  return `${CHECKPOINT_PREFIX}-${step}`;
}

/** checkpoint-<step> folders under outputDir, oldest first, as absolute paths. */
export async function sortedCheckpoints(outputDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(outputDir);
  } catch {
    return [];
  }
  return entries
    .map((name) => ({ name, m: /^checkpoint-(\d+)$/.exec(name) }))
    .filter((e): e is { name: string; m: RegExpExecArray } => e.m !== null)
    .map((e) => ({ path: resolve(outputDir, e.name), step: Number(e.m[1]) }))
    .sort((a, b) => a.step - b.step)
    .map((e) => e.path);
}

/** Which checkpoints to delete (pure; exported for tests). */
export function checkpointsToDelete(sorted: readonly string[], saveTotalLimit: number | null, bestCheckpoint: string | null): string[] {
  if (saveTotalLimit === null || saveTotalLimit <= 0 || sorted.length <= saveTotalLimit) return [];
  const order = [...sorted];
  const best = bestCheckpoint === null ? null : resolve(bestCheckpoint);
  const bestIdx = best === null ? -1 : order.indexOf(best);
  if (bestIdx >= 0) {
    for (let i = bestIdx; i < order.length - 2; i++) [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
  }
  let limit = saveTotalLimit;
  if (best !== null && saveTotalLimit === 1 && order[order.length - 1] !== best) limit = 2;
  return order.slice(0, Math.max(0, order.length - limit));
}

/** Deletes old checkpoints under outputDir; returns the deleted folder names. */
export async function rotateCheckpoints(outputDir: string, saveTotalLimit: number | null, bestCheckpoint: string | null): Promise<string[]> {
  const doomed = checkpointsToDelete(await sortedCheckpoints(outputDir), saveTotalLimit, bestCheckpoint);
  for (const dir of doomed) await rm(dir, { recursive: true, force: true });
  return doomed.map((d) => basename(d));
}

export function checkpointPath(outputDir: string, step: number): string {
  return join(outputDir, checkpointDirName(step));
}
