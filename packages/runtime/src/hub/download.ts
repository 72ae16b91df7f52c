// Hugging Face hub access over Node 20's fetch: repo file listing and file download into the HF cache layout.
// Behaviour follows huggingface_hub (file_download.py `hf_hub_download`, `get_hf_file_metadata`, `http_get`;
// hf_api.py `repo_info`, `list_repo_tree`; utils/_http.py `hf_raise_for_status`):
// - metadata by HEAD on {endpoint}/{datasets/}{repo}/resolve/{revision}/{file}, following only redirects that stay
//   on the hub (renamed repos); X-Repo-Commit, X-Linked-Etag ?? ETag, X-Linked-Size ?? Content-Length; an absolute redirect
//   (LFS file -> CDN) gives the download URL;
// - blobs/<etag> + snapshots/<commit>/<file> (relative symlink, else a copy) + refs/<revision>;
// - resumable download into blobs/<etag>.incomplete with `Range: bytes=N-`, then an atomic rename;
// - `Authorization: Bearer <token>` only to the endpoint's origin (and the hub's own hosts), so it is dropped when a
//   redirect leaves them.
// Deviation, on purpose: a file already in the cache for the requested revision (refs/<revision> -> snapshot) is
// returned without a network call, also for branch names; `forceDownload` re-checks the hub.
// The token never appears in messages, errors or progress output.
import { existsSync, statSync } from "node:fs";
import { copyFile, mkdir, open, readFile, readdir, rename, rm, stat, symlink, unlink, writeFile } from "node:fs/promises";
import { dirname, join, posix, relative, sep } from "node:path";
import { checkRepoId, checkRevision, cachedCommit, DEFAULT_REVISION, envValue, findCachedSnapshot, hfHome, repoCacheDir, type HubRepoType } from "./cache.ts";
import { DownloadProgress, type ProgressStream } from "./progress.ts";

/** huggingface_hub's ENDPOINT default. */
export const DEFAULT_HUB_ENDPOINT = "https://huggingface.co";
/** Seconds to wait for response headers / between body chunks (huggingface_hub HF_HUB_ETAG_TIMEOUT and
 *  HF_HUB_DOWNLOAD_TIMEOUT both default to 10 s). */
export const DEFAULT_TIMEOUT_S = 10;
/** Redirect hops followed before giving up (requests' default is 30; the hub needs 1-2). */
export const MAX_REDIRECTS = 10;
/** Hosts that are the hub itself whatever HF_ENDPOINT says (huggingface_hub constants.HF_URL_HOSTS): a redirect
 *  there (e.g. from a mirror) is followed by the metadata request and keeps the token. */
export const HUB_HOSTS: ReadonlySet<string> = new Set(["huggingface.co", "hf.co", "hub-ci.huggingface.co"]);
/** Download attempts, resuming from the bytes already on disk each time (huggingface_hub http_get retries 5 times). */
export const MAX_DOWNLOAD_ATTEMPTS = 5;

export interface HubOptions {
  /** Branch, tag or commit sha. Default "main". */
  revision?: string;
  /** Default $HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** Default $HF_TOKEN, else $HUGGING_FACE_HUB_TOKEN, else the token file ($HF_TOKEN_PATH, else $HF_HOME/token). */
  token?: string;
  /** Environment for every setting above and the cache location (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Progress on stderr (default true). */
  progress?: boolean;
  /** Where progress goes (default process.stderr). */
  progressStream?: ProgressStream;
  /** Ask the hub even when the file is cached for this revision. */
  forceDownload?: boolean;
  /** Seconds to wait for headers and between body chunks (default $HF_HUB_DOWNLOAD_TIMEOUT, else 10). */
  timeoutS?: number;
}

/** A hub request that failed: names repo/file/revision/endpoint, never the token. Exit code 2 in the CLI. */
export class HubError extends Error {
  override readonly name = "HubError";
  readonly exitCode = 2 as const;
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

interface Settings {
  env: NodeJS.ProcessEnv;
  endpoint: string;
  token: string | null;
  tokenSource: string;
  revision: string;
  offline: boolean;
  timeoutMs: number;
}

/** huggingface_hub constants.HF_TOKEN_PATH: $HF_TOKEN_PATH, else $HF_HOME/token (written by `hf auth login`). */
function tokenFilePath(env: NodeJS.ProcessEnv): string {
  return envValue(env, "HF_TOKEN_PATH") ?? join(hfHome(env), "token");
}

async function settingsFrom(opts: HubOptions): Promise<Settings> {
  const env = opts.env ?? process.env;
  const endpoint = (opts.endpoint ?? envValue(env, "HF_ENDPOINT") ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, "");
  try {
    const u = new URL(endpoint);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw new HubError(`invalid hub endpoint '${endpoint}' (HF_ENDPOINT / endpoint must be an http(s) URL)`);
  }
  let token: string | null = null;
  let tokenSource = "none";
  if (opts.token !== undefined && opts.token !== "") {
    token = opts.token;
    tokenSource = "the token option";
  } else if (envValue(env, "HF_TOKEN") !== undefined) {
    token = envValue(env, "HF_TOKEN")!;
    tokenSource = "HF_TOKEN";
  } else if (envValue(env, "HUGGING_FACE_HUB_TOKEN") !== undefined) {
    token = envValue(env, "HUGGING_FACE_HUB_TOKEN")!;
    tokenSource = "HUGGING_FACE_HUB_TOKEN";
  } else {
    const file = tokenFilePath(env);
    const content = (await readFile(file, "utf8").catch(() => "")).trim();
    if (content !== "") {
      token = content;
      tokenSource = `the token file ${file}`;
    }
  }
  const revision = opts.revision ?? DEFAULT_REVISION;
  checkRevision(revision);
  const offline = /^(1|on|yes|true)$/i.test(envValue(env, "HF_HUB_OFFLINE") ?? "");
  const timeoutS = opts.timeoutS ?? Number(envValue(env, "HF_HUB_DOWNLOAD_TIMEOUT") ?? DEFAULT_TIMEOUT_S);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new HubError(`invalid download timeout ${timeoutS} s (HF_HUB_DOWNLOAD_TIMEOUT / timeoutS)`);
  return { env, endpoint, token, tokenSource, revision, offline, timeoutMs: timeoutS * 1000 };
}

function repoLabel(repoId: string, repoType: HubRepoType): string {
  return `${repoType} repo '${repoId}'`;
}

function networkError(url: string, s: Settings, what: string, cause: unknown): HubError {
  const origin = new URL(url).origin;
  const where = origin === new URL(s.endpoint).origin ? `the hub endpoint ${s.endpoint}` : `${origin} (redirected from the hub endpoint ${s.endpoint})`;
  const err = cause as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const reason = err.name === "TimeoutError" || err.name === "AbortError" ? `no response within ${s.timeoutMs / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message ?? String(cause));
  return new HubError(`cannot reach ${where} while ${what}: ${reason}. Check the network / HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only the cache`);
}

/** huggingface_hub hf_raise_for_status, as messages. */
function statusError(response: Response, s: Settings, repoId: string, repoType: HubRepoType, what: string, filename: string | null): HubError {
  const code = response.headers.get("x-error-code");
  const status = response.status;
  const repo = repoLabel(repoId, repoType);
  const at = `at revision '${s.revision}'`;
  if (status === 401 || status === 403) {
    const tokenHint =
      s.token === null
        ? "no token was sent: set HF_TOKEN to a Hugging Face access token if the repo is private or gated (an unauthenticated request to a missing repo also gets 401)"
        : `the token from ${s.tokenSource} was sent and refused: check that it is valid and has read access to this repo`;
    const gated = code === "GatedRepo" ? " The repo is gated: accept its conditions on its hub page with the account of the token." : "";
    return new HubError(`${s.endpoint} refused access (HTTP ${status}) to ${repo} while ${what}: ${tokenHint}.${gated}`, status);
  }
  if (status === 404) {
    if (code === "EntryNotFound") return new HubError(`file '${filename ?? "?"}' not found in ${repo} ${at} (${s.endpoint}, HTTP 404)`, status);
    if (code === "RevisionNotFound") return new HubError(`revision '${s.revision}' not found in ${repo} (${s.endpoint}, HTTP 404)`, status);
    if (code === "RepoNotFound") return new HubError(`${repo} not found on ${s.endpoint} (HTTP 404)`, status);
    const file = filename === null ? "" : `file '${filename}' `;
    return new HubError(`not found (HTTP 404) on ${s.endpoint}: ${file}in ${repo} ${at} (the repo, revision or file does not exist)`, status);
  }
  return new HubError(`${s.endpoint} answered HTTP ${status} ${response.statusText} for ${repo} while ${what}`, status);
}

interface Fetched {
  response: Response;
  url: string;
  /** Aborts the request (also used as the idle timeout of the body). */
  abort: AbortController;
  /** Restarts the idle timer; call on every body chunk. */
  touch: () => void;
  done: () => void;
}

/**
 * fetch with manual redirects: Authorization only while the URL is on the endpoint's origin or a hub host
 * (huggingface_hub drops it for a CDN); `follow` "relative" stops at the first redirect that leaves them
 * (huggingface_hub _httpx_follow_hub_redirects_with_backoff for the metadata HEAD: the LFS metadata is on that
 * redirect response). huggingface_hub compares host names only; origins are stricter (a different port is another
 * server), which is also what lets the tests put the fake CDN on 127.0.0.1 beside the fake hub.
 */
async function hubFetch(
  url: string,
  s: Settings,
  init: { method: "GET" | "HEAD"; headers?: Record<string, string>; follow: "all" | "relative" },
  what: string,
): Promise<Fetched> {
  const endpointOrigin = new URL(s.endpoint).origin;
  // The token goes to the endpoint's origin (scheme, host and port) and to the hub's own https hosts only.
  const isHub = (u: URL) => u.origin === endpointOrigin || (u.protocol === "https:" && HUB_HOSTS.has(u.hostname));
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { "user-agent": "dept-ts/0.1 (huggingface_hub-compatible)", ...init.headers };
    if (s.token !== null && isHub(new URL(current))) headers.authorization = `Bearer ${s.token}`;
    const abort = new AbortController();
    let timer = setTimeout(() => abort.abort(new DOMException("timeout", "TimeoutError")), s.timeoutMs);
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => abort.abort(new DOMException("timeout", "TimeoutError")), s.timeoutMs);
    };
    const done = () => clearTimeout(timer);
    let response: Response;
    try {
      response = await fetch(current, { method: init.method, headers, redirect: "manual", signal: abort.signal });
    } catch (error) {
      done();
      throw networkError(current, s, what, error);
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      const next = new URL(location, current).toString();
      if (init.follow === "relative" && new URL(next).origin !== new URL(current).origin && !isHub(new URL(next))) {
        return { response, url: current, abort, touch, done };
      }
      done();
      await response.body?.cancel();
      current = next;
      continue;
    }
    return { response, url: current, abort, touch, done };
  }
  throw new HubError(`more than ${MAX_REDIRECTS} redirects while ${what} (started at ${url})`);
}

function checkFilename(filename: string): void {
  const parts = filename.split("/");
  if (filename === "" || filename.includes("\\") || filename.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new RangeError(`invalid repo file name '${filename}' (expected a relative path like "config.json" or "sub/dir/file.bin")`);
  }
}

function resolveUrl(s: Settings, repoId: string, repoType: HubRepoType, filename: string): string {
  const prefix = repoType === "dataset" ? "datasets/" : "";
  const file = filename.split("/").map(encodeURIComponent).join("/");
  return `${s.endpoint}/${prefix}${repoId}/resolve/${encodeURIComponent(s.revision)}/${file}`;
}

/** huggingface_hub _normalize_etag: drop a weak-validator prefix and the quotes. */
function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

async function writeAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

/** snapshots/<sha>/<file> -> ../../blobs/<etag> as a relative symlink; a copy where symlinks are not allowed. */
async function linkIntoSnapshot(blobPath: string, pointerPath: string): Promise<void> {
  await mkdir(dirname(pointerPath), { recursive: true });
  const tmp = `${pointerPath}.${process.pid}.${Date.now()}.tmp`;
  try {
    await symlink(relative(dirname(pointerPath), blobPath), tmp);
  } catch {
    await copyFile(blobPath, tmp);
  }
  await rename(tmp, pointerPath);
}

async function fileSize(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

async function listLocalFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 32) return;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, depth + 1);
      else if (!entry.name.endsWith(".tmp")) out.push(relative(root, full).split(sep).join(posix.sep));
    }
  };
  await walk(root, 0);
  return out.sort();
}

/**
 * Repo file names at a revision: GET {endpoint}/api/{models|datasets}/{repo}/revision/{rev} -> siblings[].rfilename,
 * falling back to the paginated tree API (`/tree/{rev}?recursive=true`) when the answer has no siblings. Offline
 * (HF_HUB_OFFLINE=1) or when the endpoint cannot be reached, the files of the cached snapshot are listed instead.
 */
export async function hubListFiles(repoId: string, repoType: HubRepoType, opts: HubOptions = {}): Promise<string[]> {
  checkRepoId(repoId);
  const s = await settingsFrom(opts);
  const what = `listing the files of ${repoLabel(repoId, repoType)} at revision '${s.revision}'`;
  const cached = () => findCachedSnapshot(repoId, repoType, s.revision, s.env);
  if (s.offline) {
    const snapshot = cached();
    if (snapshot === null) throw new HubError(`HF_HUB_OFFLINE is set and ${repoLabel(repoId, repoType)} at revision '${s.revision}' is not in the cache ${repoCacheDir(repoId, repoType, s.env)}`);
    return listLocalFiles(snapshot);
  }
  const api = `${s.endpoint}/api/${repoType}s/${repoId}`;
  let fetched: Fetched;
  try {
    fetched = await hubFetch(`${api}/revision/${encodeURIComponent(s.revision)}`, s, { method: "GET", follow: "all" }, what);
  } catch (error) {
    const snapshot = error instanceof HubError && error.status === null ? cached() : null;
    if (snapshot !== null) return listLocalFiles(snapshot);
    throw error;
  }
  try {
    if (!fetched.response.ok) throw statusError(fetched.response, s, repoId, repoType, what, null);
    const info = (await fetched.response.json()) as { siblings?: { rfilename?: unknown }[] };
    if (Array.isArray(info.siblings)) {
      return info.siblings.map((x) => x.rfilename).filter((name): name is string => typeof name === "string");
    }
  } finally {
    fetched.done();
  }
  // Tree API: pages linked by `Link: <url>; rel="next"` (huggingface_hub paginate()).
  const files: string[] = [];
  let next: string | null = `${api}/tree/${encodeURIComponent(s.revision)}?recursive=true`;
  for (let page = 0; next !== null; page++) {
    if (page >= 10_000) throw new HubError(`too many pages while ${what}`);
    const f = await hubFetch(next, s, { method: "GET", follow: "all" }, what);
    try {
      if (!f.response.ok) throw statusError(f.response, s, repoId, repoType, what, null);
      const entries = (await f.response.json()) as { type?: unknown; path?: unknown }[];
      for (const e of entries) if (e.type === "file" && typeof e.path === "string") files.push(e.path);
      const link = /<([^>]+)>;\s*rel="next"/.exec(f.response.headers.get("link") ?? "");
      next = link === null ? null : new URL(link[1]!, f.url).toString();
    } finally {
      f.done();
    }
  }
  return files;
}

/**
 * Downloads one repo file into the HF cache (blobs/ + snapshots/ + refs/) and returns its snapshot path
 * (<cache>/<models|datasets>--org--name/snapshots/<commit>/<filename>). See the file header for the details.
 */
export async function hubDownload(repoId: string, repoType: HubRepoType, filename: string, opts: HubOptions = {}): Promise<string> {
  checkRepoId(repoId);
  checkFilename(filename);
  const s = await settingsFrom(opts);
  const repoDir = repoCacheDir(repoId, repoType, s.env);
  const what = `downloading '${filename}' from ${repoLabel(repoId, repoType)} at revision '${s.revision}'`;

  if (opts.forceDownload !== true) {
    const sha = cachedCommit(repoDir, s.revision);
    if (sha !== null) {
      const pointer = join(repoDir, "snapshots", sha, ...filename.split("/"));
      if (existsSync(pointer)) return pointer;
    }
  }
  if (s.offline) {
    throw new HubError(`HF_HUB_OFFLINE is set and '${filename}' of ${repoLabel(repoId, repoType)} at revision '${s.revision}' is not in the cache ${repoDir}`);
  }

  // Metadata (huggingface_hub get_hf_file_metadata): HEAD, no compression so Content-Length is the file size.
  const url = resolveUrl(s, repoId, repoType, filename);
  const head = await hubFetch(url, s, { method: "HEAD", headers: { "accept-encoding": "identity" }, follow: "relative" }, what);
  head.done();
  const meta = head.response;
  if (!(meta.ok || (meta.status >= 300 && meta.status < 400))) throw statusError(meta, s, repoId, repoType, what, filename);
  const commit = meta.headers.get("x-repo-commit");
  const rawEtag = meta.headers.get("x-linked-etag") ?? meta.headers.get("etag");
  if (commit === null || !/^[0-9a-f]{40}$/.test(commit) || rawEtag === null) {
    throw new HubError(`${s.endpoint} sent no X-Repo-Commit / ETag for '${filename}' of ${repoLabel(repoId, repoType)}: is HF_ENDPOINT a Hugging Face hub?`);
  }
  const etag = normalizeEtag(rawEtag);
  if (!/^[A-Za-z0-9_-]+$/.test(etag)) throw new HubError(`${s.endpoint} sent an unusable ETag for '${filename}' of ${repoLabel(repoId, repoType)}`);
  const isRedirect = meta.status >= 300 && meta.status < 400;
  // A redirect's own Content-Length is the size of its (empty) body, not of the file.
  const sizeHeader = meta.headers.get("x-linked-size") ?? (isRedirect ? null : meta.headers.get("content-length"));
  const expectedSize = sizeHeader !== null && /^\d+$/.test(sizeHeader) ? Number(sizeHeader) : null;
  const location = meta.headers.get("location");
  const downloadUrl = location !== null && isRedirect ? new URL(location, head.url).toString() : head.url;

  const blobPath = join(repoDir, "blobs", etag);
  const pointerPath = join(repoDir, "snapshots", commit, ...filename.split("/"));
  if (s.revision !== commit) await writeAtomic(join(repoDir, "refs", ...s.revision.split("/")), commit);
  if (existsSync(pointerPath) && opts.forceDownload !== true) return pointerPath;
  const blobSize = await fileSize(blobPath);
  if (blobSize !== null && (expectedSize === null || blobSize === expectedSize) && opts.forceDownload !== true) {
    await linkIntoSnapshot(blobPath, pointerPath);
    return pointerPath;
  }

  await mkdir(dirname(blobPath), { recursive: true });
  const incomplete = `${blobPath}.incomplete`;
  const stream = opts.progress === false ? null : (opts.progressStream ?? process.stderr);
  let progress: DownloadProgress | null = null;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < MAX_DOWNLOAD_ATTEMPTS; attempt++) {
    let have = (await fileSize(incomplete)) ?? 0;
    if (expectedSize !== null && have > expectedSize) {
      await rm(incomplete, { force: true });
      have = 0;
    }
    if (expectedSize !== null && have === expectedSize) break;
    const headers: Record<string, string> = { "accept-encoding": "identity" };
    if (have > 0) headers.range = `bytes=${have}-`;
    let f: Fetched;
    try {
      f = await hubFetch(downloadUrl, s, { method: "GET", headers, follow: "all" }, what);
    } catch (error) {
      lastError = error;
      continue;
    }
    const status = f.response.status;
    if (status === 416) {
      // The range starts at or past the end: the partial file does not belong to this blob; start over.
      f.done();
      await f.response.body?.cancel();
      await rm(incomplete, { force: true });
      continue;
    }
    if (!f.response.ok) {
      f.done();
      await f.response.body?.cancel().catch(() => undefined);
      throw statusError(f.response, s, repoId, repoType, what, filename);
    }
    const append = status === 206 && have > 0;
    if (!append) have = 0; // a 200 ignores the Range header: rewrite from the start
    progress ??= new DownloadProgress(stream, `${repoId}/${filename}`, expectedSize, have);
    const fh = await open(incomplete, append ? "a" : "w");
    try {
      const body = f.response.body;
      if (body === null) throw new HubError(`empty response body while ${what}`);
      for await (const raw of body) {
        const chunk = raw as Uint8Array;
        f.touch();
        await fh.write(chunk);
        progress.add(chunk.byteLength);
      }
      lastError = null;
    } catch (error) {
      if (error instanceof HubError) throw error;
      lastError = error;
    } finally {
      f.done();
      await fh.close();
    }
    if (lastError === null) {
      const got = (await fileSize(incomplete)) ?? 0;
      if (expectedSize === null || got === expectedSize) break;
      if (got > expectedSize) {
        await rm(incomplete, { force: true });
        throw new HubError(`'${filename}' of ${repoLabel(repoId, repoType)}: got ${got} bytes, expected ${expectedSize}; the partial file was removed`);
      }
      lastError = new Error(`connection closed after ${got} of ${expectedSize} bytes`);
    }
  }
  if (lastError !== null) {
    if (lastError instanceof HubError) throw lastError;
    throw networkError(downloadUrl, s, what, lastError);
  }
  const finalSize = await fileSize(incomplete);
  if (finalSize === null) throw new HubError(`'${filename}' of ${repoLabel(repoId, repoType)}: no data after ${MAX_DOWNLOAD_ATTEMPTS} attempts`);
  if (expectedSize !== null && finalSize !== expectedSize) {
    throw new HubError(`'${filename}' of ${repoLabel(repoId, repoType)}: ${finalSize} of ${expectedSize} bytes after ${MAX_DOWNLOAD_ATTEMPTS} attempts (kept ${incomplete} to resume)`);
  }
  progress?.finish();
  await rename(incomplete, blobPath);
  if (existsSync(pointerPath)) await unlink(pointerPath);
  await linkIntoSnapshot(blobPath, pointerPath);
  return pointerPath;
}

/** Sync check used by loaders: the snapshot path of filename if it is already cached for revision, else null. */
export function cachedHubFile(repoId: string, repoType: HubRepoType, filename: string, revision: string = DEFAULT_REVISION, env: NodeJS.ProcessEnv = process.env): string | null {
  checkFilename(filename);
  const snapshot = findCachedSnapshot(repoId, repoType, revision, env);
  if (snapshot === null) return null;
  const path = join(snapshot, ...filename.split("/"));
  try {
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}
