// The Hugging Face hub cache layout, as huggingface_hub writes and reads it (huggingface_hub constants.py and
// file_download.py, `hf_hub_download` / `try_to_load_from_cache`):
//   <cache>/<models|datasets>--<org>--<name>/
//     blobs/<etag>                    file contents, named by the hub's ETag (git sha1 or LFS sha256)
//     snapshots/<commit sha>/<file>   relative symlinks (or copies) into blobs/
//     refs/<revision>                 the commit sha a branch/tag resolved to when it was last downloaded
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export type HubRepoType = "model" | "dataset";

/** huggingface_hub's REGEX_COMMIT_HASH: a full 40-hex git sha. */
export const COMMIT_HASH = /^[0-9a-f]{40}$/;
/** huggingface_hub's DEFAULT_REVISION. */
export const DEFAULT_REVISION = "main";

function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return path;
}

/** A non-empty value of an environment variable, else undefined (huggingface_hub ignores empty strings too). */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === "" ? undefined : v;
}

/** $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface (huggingface_hub constants.HF_HOME). */
export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = envValue(env, "HF_HOME");
  if (home !== undefined) return resolve(expandHome(home));
  const xdg = envValue(env, "XDG_CACHE_HOME");
  return resolve(xdg !== undefined ? join(expandHome(xdg), "huggingface") : join(homedir(), ".cache", "huggingface"));
}

/**
 * The hub cache folder: $HF_HUB_CACHE, else the legacy $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub (with HF_HOME's own
 * defaults, see hfHome). Same precedence as huggingface_hub.constants.HF_HUB_CACHE.
 */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = envValue(env, "HF_HUB_CACHE") ?? envValue(env, "HUGGINGFACE_HUB_CACHE");
  if (explicit !== undefined) return resolve(expandHome(explicit));
  return join(hfHome(env), "hub");
}

/** Checks an "org/name" (or bare "name") repo id; throws a RangeError naming it otherwise. */
export function checkRepoId(repoId: string): void {
  // huggingface_hub validate_repo_id: at most one "/", [\w.-] characters, no "--" or ".." and no leading/trailing "-"/".".
  const parts = repoId.split("/");
  const ok =
    parts.length <= 2 &&
    parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p) && !/^[-.]|[-.]$/.test(p)) &&
    !repoId.includes("--") &&
    !repoId.includes("..") &&
    repoId.length <= 96;
  if (!ok) throw new RangeError(`invalid Hugging Face repo id '${repoId}' (expected "org/name" made of letters, digits, '-', '_', '.')`);
}

/** Checks a revision (branch, tag, "refs/pr/N" or sha) before it becomes part of a cache path or URL. */
export function checkRevision(revision: string): void {
  const ok = /^[A-Za-z0-9_.\-/]+$/.test(revision) && !revision.split("/").some((p) => p === "" || p === "." || p === "..");
  if (!ok) throw new RangeError(`invalid Hugging Face revision '${revision}' (expected a branch, tag or commit sha)`);
}

/** "models--org--name" / "datasets--org--name" (huggingface_hub repo_folder_name). */
export function repoFolderName(repoId: string, repoType: HubRepoType): string {
  return [`${repoType}s`, ...repoId.split("/")].join("--");
}

export function repoCacheDir(repoId: string, repoType: HubRepoType, env: NodeJS.ProcessEnv = process.env): string {
  checkRepoId(repoId);
  return join(hubCacheDir(env), repoFolderName(repoId, repoType));
}

/** The commit sha a revision maps to in the cache (the sha itself, or the content of refs/<revision>), or null. */
export function cachedCommit(repoDir: string, revision: string): string | null {
  checkRevision(revision);
  if (COMMIT_HASH.test(revision)) return revision;
  const refFile = join(repoDir, "refs", revision);
  if (!existsSync(refFile)) return null;
  const sha = readFileSync(refFile, "utf8").trim();
  return COMMIT_HASH.test(sha) ? sha : null;
}

/**
 * The local snapshot folder (<cache>/<models|datasets>--org--name/snapshots/<sha>/) of revision (default "main",
 * resolved through refs/<revision>; a 40-hex sha is used directly), or null when it is not in the cache.
 */
export function findCachedSnapshot(
  repoId: string,
  repoType: HubRepoType,
  revision: string = DEFAULT_REVISION,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const repoDir = repoCacheDir(repoId, repoType, env);
  const sha = cachedCommit(repoDir, revision);
  if (sha === null) return null;
  const snapshot = join(repoDir, "snapshots", sha);
  try {
    return statSync(snapshot).isDirectory() ? snapshot : null;
  } catch {
    return null;
  }
}
