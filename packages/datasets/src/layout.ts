// Finds the files of one split of one data set on disk (or downloads them), whatever layout they are in:
//   hub repo snapshot     <config>/<split>-00000-of-0000N[-hash].parquet   (nyu-mll/glue, ...)
//                         data/<split>-*.parquet                          (single/default config)
//   parquet conversion    <config>/<split>/0000.parquet                   (refs/convert/parquet)
//   JSON lines            <config>/<split>.jsonl  or  <split>.jsonl
//   HF hub cache          datasets--org--name/snapshots/<rev>/...         (any of the above inside)
//   `datasets` cache      <name>/<config>/<version>/<hash>/<name>-<split>[-0000N-of-0000M].arrow
// With --data_dir DIR, DIR may be a snapshot/layout root itself, its parent (DIR/org/name, DIR/name), an
// HF hub cache or a `datasets` cache. Without it: the hub cache, the `datasets` cache, then a download.
import { findCachedSnapshot, hfHome, hubCacheDir, hubDownload, hubListFiles, type HubOptions } from "@dept/runtime";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatasetError } from "./errors.ts";
import type { DatasetRef } from "./tasks.ts";

export interface ResolvedSplit {
  /** Shards in order. */
  readonly files: string[];
  /** Which layout matched (for logs). */
  readonly layout: string;
}

export interface ResolveOptions {
  readonly dataDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Hub endpoint for downloads (default HF_ENDPOINT ?? https://huggingface.co, decided by @dept/runtime). */
  readonly endpoint?: string;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.isSymbolicLink() && isDir(join(dir, e.name))))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** `<split>-00000-of-00003.parquet`, optionally with push_to_hub's `-<hash>` suffix, or `<split>.parquet`. */
function shardPattern(split: string, ext: string): RegExp {
  return new RegExp(`^${escapeRe(split)}(?:-\\d{5}-of-\\d{5}(?:-[0-9a-f]+)?)?\\.${ext}$`);
}

/**
 * Paths of a split inside one repo-like tree, given as relative file names (a local listing or the hub's
 * siblings), in the layouts' priority order. Returns null when no layout has the split.
 */
export function matchRepoFiles(files: readonly string[], config: string, split: string): { files: string[]; layout: string } | null {
  const hubShard = shardPattern(split, "parquet");
  const pick = (dir: string, re: RegExp) =>
    files.filter((f) => f.startsWith(dir) && !f.slice(dir.length).includes("/") && re.test(f.slice(dir.length))).sort();
  const candidates: [string, string[]][] = [
    [`hub parquet ${config}/${split}-NNNNN-of-NNNNN.parquet`, pick(`${config}/`, hubShard)],
    [`parquet conversion ${config}/${split}/NNNN.parquet`, pick(`${config}/${split}/`, /^\d+\.parquet$/)],
    [`hub parquet data/${split}-*.parquet`, pick("data/", hubShard)],
    [`JSON lines ${config}/${split}.jsonl`, pick(`${config}/`, new RegExp(`^${escapeRe(split)}\\.jsonl$`))],
    [`hub parquet ${split}-*.parquet`, pick("", hubShard)],
    [`parquet ${split}/NNNN.parquet`, pick(`${split}/`, /^\d+\.parquet$/)],
    [`JSON lines ${split}.jsonl`, pick("", new RegExp(`^${escapeRe(split)}\\.jsonl$`))],
  ];
  for (const [layout, found] of candidates) if (found.length > 0) return { files: found, layout };
  return null;
}

/** Relative file names under root, two levels deep (enough for every layout above). */
function localTree(root: string, config: string, split: string): string[] {
  const out: string[] = [];
  for (const f of listFiles(root)) out.push(f);
  for (const d of [config, "data", split]) {
    for (const f of listFiles(join(root, d))) out.push(`${d}/${f}`);
  }
  for (const f of listFiles(join(root, config, split))) out.push(`${config}/${split}/${f}`);
  return out;
}

function findInRoot(root: string, config: string, split: string): ResolvedSplit | null {
  const hit = matchRepoFiles(localTree(root, config, split), config, split);
  return hit === null ? null : { files: hit.files.map((f) => join(root, f)), layout: `${hit.layout} in ${root}` };
}

/** Directory names the `datasets` library uses for a repo id ("nyu-mll/glue" -> "nyu-mll___glue") and file prefixes ("glue"). */
function datasetsCacheNames(ids: readonly string[]): { dirs: string[]; prefixes: string[] } {
  const dirs = new Set<string>();
  const prefixes = new Set<string>();
  for (const id of ids) {
    dirs.add(id.replace("/", "___"));
    dirs.add(id.split("/").pop()!);
    prefixes.add(id.split("/").pop()!);
  }
  return { dirs: [...dirs], prefixes: [...prefixes] };
}

/**
 * `datasets` cache: <root>/<name>/<config>/<version>/<hash>/<prefix>-<split>[-NNNNN-of-NNNNN].arrow. With
 * several version/hash folders holding the split, the most recently modified one wins (`datasets`
 * keys them by a hash of the builder config that cannot be recomputed here).
 */
function findInDatasetsCache(root: string, ref: DatasetRef, split: string): ResolvedSplit | null {
  const { dirs, prefixes } = datasetsCacheNames([ref.hubId, ref.referenceId]);
  const found: { files: string[]; mtime: number; dir: string }[] = [];
  for (const name of dirs) {
    const configDir = join(root, name, ref.config);
    for (const version of listDirs(configDir)) {
      for (const hash of listDirs(join(configDir, version))) {
        const dir = join(configDir, version, hash);
        const files = listFiles(dir).filter((f) => prefixes.some((p) => shardPattern(`${p}-${split}`, "arrow").test(f)));
        if (files.length > 0) found.push({ files: files.map((f) => join(dir, f)), mtime: statSync(dir).mtimeMs, dir });
      }
    }
  }
  if (found.length === 0) return null;
  found.sort((a, b) => b.mtime - a.mtime);
  const best = found[0]!;
  return { files: best.files, layout: `datasets cache ${best.dir}` };
}

function hubCacheSnapshotRoots(cacheRoot: string, ids: readonly string[]): string[] {
  const roots: string[] = [];
  for (const id of ids) {
    const repoDir = join(cacheRoot, `datasets--${id.replaceAll("/", "--")}`);
    const snapshots = join(repoDir, "snapshots");
    if (!isDir(snapshots)) continue;
    roots.push(...listDirs(snapshots).map((rev) => join(snapshots, rev)));
  }
  return roots;
}

function datasetsCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.HF_DATASETS_CACHE) return env.HF_DATASETS_CACHE;
  return join(hfHome(env), "datasets");
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && ["1", "true", "yes", "on"].includes(v.toLowerCase());
}

/** Local files of `split` of data set `ref`, or a download of them (only without --data_dir). */
export async function resolveSplitFiles(ref: DatasetRef, split: string, opts: ResolveOptions = {}): Promise<ResolvedSplit> {
  const env = opts.env ?? process.env;
  const ids = [...new Set([ref.hubId, ref.referenceId])];
  const searched: string[] = [];

  if (opts.dataDir !== undefined) {
    const dir = opts.dataDir;
    if (!isDir(dir)) throw new DatasetError(`--data_dir ${dir}`, "is not a directory");
    const roots = [dir, ...ids.flatMap((id) => [join(dir, id), join(dir, id.split("/").pop()!)])];
    for (const root of [...new Set(roots)]) {
      if (!isDir(root)) continue;
      searched.push(root);
      const hit = findInRoot(root, ref.config, split);
      if (hit) return hit;
    }
    const cached = findInDatasetsCache(dir, ref, split);
    if (cached) return cached;
    for (const snap of hubSnapshots(dir, ids, env)) {
      searched.push(snap);
      const hit = findInRoot(snap, ref.config, split);
      if (hit) return hit;
    }
    throw new DatasetError(
      `--data_dir ${dir}`,
      `no files for ${ref.hubId} config '${ref.config}' split '${split}' (looked for ${ref.config}/${split}-NNNNN-of-NNNNN.parquet, ` +
        `${ref.config}/${split}/NNNN.parquet, data/${split}-*.parquet, ${ref.config}/${split}.jsonl, ${split}.jsonl, a datasets--* hub cache ` +
        `and a datasets cache <name>/${ref.config}/<version>/<hash>/<name>-${split}.arrow in: ${searched.join(", ") || dir})`,
    );
  }

  if (ref.local === true) {
    throw new DatasetError(ref.hubId, `is a local data set (custom task without 'hubId'): pass --data_dir`);
  }
  const hubCache = hubCacheDir(env);
  for (const snap of hubSnapshots(hubCache, ids, env)) {
    const hit = findInRoot(snap, ref.config, split);
    if (hit) return hit;
  }
  const dsCache = datasetsCacheDir(env);
  const cached = isDir(dsCache) ? findInDatasetsCache(dsCache, ref, split) : null;
  if (cached) return cached;
  if (truthy(env.HF_HUB_OFFLINE) || truthy(env.HF_DATASETS_OFFLINE)) {
    throw new DatasetError(ref.hubId, `split '${split}' of config '${ref.config}' is not in the hub cache ${hubCache} or the datasets cache ${dsCache}, and HF_HUB_OFFLINE/HF_DATASETS_OFFLINE forbids downloading`);
  }
  return downloadSplit(ref, split, env, opts.endpoint);
}

/** Snapshot folders of the ids in an HF hub cache: the one refs/main names first, then any others. */
function hubSnapshots(cacheRoot: string, ids: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const all = hubCacheSnapshotRoots(cacheRoot, ids);
  if (all.length === 0) return [];
  const main = ids.map((id) => findCachedSnapshot(id, "dataset", "main", { ...env, HF_HUB_CACHE: cacheRoot })).filter((p): p is string => p !== null);
  return [...new Set([...main, ...all])];
}

/** Lists the repo on the hub (main, then the parquet conversion branch) and downloads the split's files. */
async function downloadSplit(ref: DatasetRef, split: string, env: NodeJS.ProcessEnv, endpoint: string | undefined): Promise<ResolvedSplit> {
  const tried: string[] = [];
  for (const revision of ["main", "refs/convert/parquet"]) {
    const hub: HubOptions = { revision, env, ...(endpoint !== undefined ? { endpoint } : {}) };
    let listing: string[];
    try {
      listing = await hubListFiles(ref.hubId, "dataset", hub);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      // The repo itself must list; a missing parquet-conversion branch only ends the search.
      if (revision === "main") throw new DatasetError(ref.hubId, `cannot list the repo files (${why}); pass --data_dir with local files instead`);
      tried.push(`${revision} (${why})`);
      continue;
    }
    const hit = matchRepoFiles(listing, ref.config, split);
    tried.push(`${revision} (${listing.length} files)`);
    if (hit === null) continue;
    const files: string[] = [];
    for (const f of hit.files) files.push(await hubDownload(ref.hubId, "dataset", f, hub));
    return { files, layout: `${hit.layout}, downloaded from ${ref.hubId}@${revision}` };
  }
  throw new DatasetError(ref.hubId, `the hub repo has no files for config '${ref.config}' split '${split}' (revisions tried: ${tried.join(", ")})`);
}
