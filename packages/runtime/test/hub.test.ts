// Hub access against two local HTTP servers on 127.0.0.1: a fake hub (resolve/ + api/ endpoints with the hub's
// headers) and a fake CDN that the hub redirects LFS files to. Checks the cache layout, token handling (sent to the
// hub, not to the CDN, never printed), resume via .incomplete + Range, error messages, cache hits without network
// and the environment variable precedence.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { lstatSync, readFileSync, readlinkSync, existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findCachedSnapshot, hubCacheDir, hubDownload, hubListFiles, HubError, type HubOptions } from "../src/index.ts";

const TOKEN = "hf_testSECRETtoken0123456789";
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const OLD_COMMIT = "fedcba9876543210fedcba9876543210fedcba98";

interface Served {
  body: Buffer;
  etag: string;
  lfs: boolean;
  /** LFS redirect without X-Linked-Size (its Content-Length: 0 must not be taken for the file size). */
  noLinkedSize?: boolean;
}

function deterministicBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
const gitSha1 = (b: Buffer) => createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

const CONFIG = Buffer.from(JSON.stringify({ d_model: 32, vocab_size: 256 }));
const WEIGHTS = deterministicBytes(300_000, 7);
const NESTED = Buffer.from("nested file\n");
const NESTED_LFS = deterministicBytes(5_000, 11);
const MODEL_FILES = new Map<string, Served>([
  ["config.json", { body: CONFIG, etag: gitSha1(CONFIG), lfs: false }],
  ["model.safetensors", { body: WEIGHTS, etag: sha256(WEIGHTS), lfs: true }],
  ["sub/dir/notes.txt", { body: NESTED, etag: gitSha1(NESTED), lfs: false }],
  ["unsized.bin", { body: NESTED_LFS, etag: sha256(NESTED_LFS), lfs: true, noLinkedSize: true }],
]);
const DATA = Buffer.from("sentence,label\nhello,1\n");
const DATASET_FILES = new Map<string, Served>([["data/train.csv", { body: DATA, etag: gitSha1(DATA), lfs: false }]]);

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  range: string | undefined;
}

const hubSeen: Seen[] = [];
const cdnSeen: Seen[] = [];
/** Bytes the CDN sends before dropping the connection, per request (consumed in order); undefined = send all. */
const cdnCutAfter: number[] = [];
/** When set, the CDN answers every request with 200 and the whole body, like a server without Range support. */
let cdnIgnoreRange = false;
let hub: Server;
let cdn: Server;
let hubUrl = "";
let cdnUrl = "";
let deadUrl = "";
let root = "";

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}
function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
function record(list: Seen[], req: IncomingMessage): void {
  list.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization, range: req.headers.range });
}

/** Serves body honouring `Range: bytes=N-` (206 + Content-Range), optionally dropping the connection early. */
function sendBody(req: IncomingMessage, res: ServerResponse, body: Buffer, headers: Record<string, string>, cutAfter?: number, ignoreRange = false): void {
  const m = ignoreRange ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  let start = 0;
  if (m !== null) {
    start = Number(m[1]);
    if (start >= body.length) {
      res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, { ...headers, "content-length": String(body.length - start), "content-range": `bytes ${start}-${body.length - 1}/${body.length}` });
  } else {
    res.writeHead(200, { ...headers, "content-length": String(body.length) });
  }
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const rest = body.subarray(start);
  if (cutAfter !== undefined && cutAfter < rest.length) {
    // A graceful close (FIN) after cutAfter bytes: the client receives exactly those bytes, then a short body.
    res.write(rest.subarray(0, cutAfter), () => res.socket?.end());
    return;
  }
  res.end(rest);
}

function hubHandler(req: IncomingMessage, res: ServerResponse): void {
  record(hubSeen, req);
  const url = new URL(req.url ?? "/", hubUrl);
  const path = decodeURIComponent(url.pathname);
  const authorized = req.headers.authorization === `Bearer ${TOKEN}`;
  const fail = (status: number, code: string | null) => {
    res.writeHead(status, code === null ? {} : { "x-error-code": code, "x-error-message": code }).end(JSON.stringify({ error: code }));
  };
  // API: repo info (models have siblings; the dataset answer has none, so the client must use the tree API).
  let m = /^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/revision\/(.+)$/.exec(path);
  if (m !== null) {
    const [, kind, repo, rev] = m;
    if (repo === "org/private" && !authorized) return fail(401, null);
    if (rev !== "main" && rev !== COMMIT) return fail(404, "RevisionNotFound");
    if (kind === "models" && (repo === "org/model" || repo === "org/private")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: repo, sha: COMMIT, siblings: [...MODEL_FILES.keys()].map((rfilename) => ({ rfilename })) }));
      return;
    }
    if (kind === "datasets" && repo === "org/data") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: repo, sha: COMMIT }));
      return;
    }
    return fail(404, "RepoNotFound");
  }
  m = /^\/api\/datasets\/org\/data\/tree\/main$/.exec(path);
  if (m !== null) {
    const cursor = url.searchParams.get("cursor");
    res.setHeader("content-type", "application/json");
    if (cursor === null) {
      res.setHeader("link", `</api/datasets/org/data/tree/main?recursive=true&cursor=2>; rel="next"`);
      res.end(JSON.stringify([{ type: "file", path: ".gitattributes" }]));
    } else {
      res.end(JSON.stringify([{ type: "directory", path: "data" }, { type: "file", path: "data/train.csv" }]));
    }
    return;
  }
  // A renamed repo: relative redirect to the new name (followed even by the metadata HEAD).
  if (path.startsWith("/org/old-name/")) {
    res.writeHead(307, { location: path.replace("/org/old-name/", "/org/model/") }).end();
    return;
  }
  m = /^\/(datasets\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
  if (m === null) return fail(404, null);
  const [, datasetPrefix, repo, rev, file] = m;
  const files = datasetPrefix !== undefined ? (repo === "org/data" ? DATASET_FILES : null) : repo === "org/model" || repo === "org/private" ? MODEL_FILES : null;
  if (files === null) return fail(404, "RepoNotFound");
  if (repo === "org/private" && !authorized) return fail(401, null);
  if (rev !== "main" && rev !== COMMIT && rev !== "v1") return fail(404, "RevisionNotFound");
  const served = files.get(file!);
  if (served === undefined) return fail(404, "EntryNotFound");
  const commit = rev === "v1" ? OLD_COMMIT : COMMIT;
  if (served.lfs) {
    res.writeHead(302, {
      location: `${cdnUrl}/lfs/${served.etag}?signature=abc`,
      "x-repo-commit": commit,
      "x-linked-etag": `"${served.etag}"`,
      ...(served.noLinkedSize === true ? {} : { "x-linked-size": String(served.body.length) }),
      etag: `W/"redirect-etag"`,
      "content-length": "0",
    });
    res.end();
    return;
  }
  sendBody(req, res, served.body, { "x-repo-commit": commit, etag: `"${served.etag}"` });
}

function cdnHandler(req: IncomingMessage, res: ServerResponse): void {
  record(cdnSeen, req);
  const etag = /^\/lfs\/([0-9a-f]+)$/.exec(new URL(req.url ?? "/", cdnUrl).pathname)?.[1];
  const served = [...MODEL_FILES.values()].find((f) => f.etag === etag);
  if (served === undefined) {
    res.writeHead(404).end();
    return;
  }
  sendBody(req, res, served.body, { etag: `"${served.etag}"` }, cdnCutAfter.shift(), cdnIgnoreRange);
}

beforeAll(async () => {
  hub = createServer(hubHandler);
  cdn = createServer(cdnHandler);
  hubUrl = await listen(hub);
  cdnUrl = await listen(cdn);
  const dead = createServer();
  deadUrl = await listen(dead);
  await close(dead);
  root = await mkdtemp(join(tmpdir(), "dept-hub-"));
});

afterAll(async () => {
  await close(hub);
  await close(cdn);
  await rm(root, { recursive: true, force: true });
});

let caseNo = 0;
let cache = "";
let progressOut: string[] = [];
/** A fresh cache per test; env has no HF_HOME token file and no offline flag. */
function optsFor(extra: Partial<HubOptions> & { env?: NodeJS.ProcessEnv } = {}): HubOptions {
  return {
    endpoint: hubUrl,
    progressStream: { write: (s: string) => progressOut.push(s), isTTY: false },
    ...extra,
    env: { HF_HUB_CACHE: cache, HF_HOME: join(cache, "home"), ...extra.env },
  };
}
beforeEach(async () => {
  caseNo++;
  cache = join(root, `case-${caseNo}`);
  await mkdir(cache, { recursive: true });
  progressOut = [];
  hubSeen.length = 0;
  cdnSeen.length = 0;
  cdnCutAfter.length = 0;
  cdnIgnoreRange = false;
});

async function errorOf(p: Promise<unknown>): Promise<HubError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HubError);
  return e as HubError;
}

describe("hubDownload", () => {
  it("writes blobs/<etag>, a relative snapshot symlink under the X-Repo-Commit sha and refs/main", async () => {
    const path = await hubDownload("org/model", "model", "config.json", optsFor({ token: TOKEN }));
    const repoDir = join(cache, "models--org--model");
    const etag = MODEL_FILES.get("config.json")!.etag;
    expect(path).toBe(join(repoDir, "snapshots", COMMIT, "config.json"));
    expect(readFileSync(path)).toEqual(CONFIG);
    expect(readFileSync(join(repoDir, "blobs", etag))).toEqual(CONFIG);
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path)).toBe(join("..", "..", "blobs", etag));
    expect(readFileSync(join(repoDir, "refs", "main"), "utf8")).toBe(COMMIT);
    expect(hubSeen.map((r) => `${r.method} ${r.url}`)).toEqual(["HEAD /org/model/resolve/main/config.json", "GET /org/model/resolve/main/config.json"]);
  });

  it("follows the LFS redirect to the CDN, sending the token to the hub only", async () => {
    const path = await hubDownload("org/model", "model", "model.safetensors", optsFor({ token: TOKEN }));
    expect(readFileSync(path).equals(WEIGHTS)).toBe(true);
    expect(existsSync(join(cache, "models--org--model", "blobs", sha256(WEIGHTS)))).toBe(true);
    expect(hubSeen.length).toBeGreaterThan(0);
    expect(hubSeen.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(cdnSeen).toHaveLength(1);
    expect(cdnSeen[0]!.authorization).toBeUndefined();
    // progress: plain lines (not a TTY), with the file name and size, never the token
    const progress = progressOut.join("");
    expect(progress).toContain("org/model/model.safetensors");
    expect(progress).toMatch(/done, 300\.0 kB/);
    expect(progress).not.toContain(TOKEN);
  });

  it("does not take a redirect's Content-Length for the file size when X-Linked-Size is missing", async () => {
    const path = await hubDownload("org/model", "model", "unsized.bin", optsFor());
    expect(readFileSync(path).equals(NESTED_LFS)).toBe(true);
  });

  it("draws a bar on a TTY", async () => {
    const out: string[] = [];
    await hubDownload("org/model", "model", "model.safetensors", optsFor({ progressStream: { write: (s: string) => out.push(s), isTTY: true, columns: 120 } }));
    const text = out.join("");
    expect(text).toContain("\r");
    expect(text).toMatch(/\[#{30}\] 300\.0 kB \/ 300\.0 kB 100%/);
  });

  it("puts nested files under their folders, and datasets under datasets--org--name via /datasets/ URLs", async () => {
    const nested = await hubDownload("org/model", "model", "sub/dir/notes.txt", optsFor());
    expect(nested).toBe(join(cache, "models--org--model", "snapshots", COMMIT, "sub", "dir", "notes.txt"));
    expect(readFileSync(nested)).toEqual(NESTED);
    expect(readlinkSync(nested)).toBe(join("..", "..", "..", "..", "blobs", MODEL_FILES.get("sub/dir/notes.txt")!.etag));
    const data = await hubDownload("org/data", "dataset", "data/train.csv", optsFor());
    expect(data).toBe(join(cache, "datasets--org--data", "snapshots", COMMIT, "data", "train.csv"));
    expect(readFileSync(data)).toEqual(DATA);
    expect(hubSeen.some((r) => r.url === "/datasets/org/data/resolve/main/data/train.csv")).toBe(true);
  });

  it("resumes a truncated .incomplete blob with Range: bytes=N-", async () => {
    const blob = join(cache, "models--org--model", "blobs", sha256(WEIGHTS));
    await mkdir(join(cache, "models--org--model", "blobs"), { recursive: true });
    await writeFile(`${blob}.incomplete`, WEIGHTS.subarray(0, 123_456));
    const path = await hubDownload("org/model", "model", "model.safetensors", optsFor());
    expect(cdnSeen.map((r) => r.range)).toEqual(["bytes=123456-"]);
    expect(readFileSync(path).equals(WEIGHTS)).toBe(true);
    expect(existsSync(`${blob}.incomplete`)).toBe(false);
    expect(progressOut.join("")).toContain("resuming at 123.5 kB");
  });

  it("retries after a dropped connection and resumes from the bytes already written", async () => {
    cdnCutAfter.push(50_000, 100_000);
    const path = await hubDownload("org/model", "model", "model.safetensors", optsFor());
    expect(readFileSync(path).equals(WEIGHTS)).toBe(true);
    // Three requests; each retry asks for the bytes after what reached the disk. How much of a cut response reaches
    // the disk depends on fetch's stream buffering (an errored ReadableStream drops its queued chunks), so only the
    // order is pinned: the start offsets never go backwards and never pass the bytes the server sent.
    const ranges = cdnSeen.map((r) => r.range);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]).toBeUndefined();
    const starts = ranges.map((r) => (r === undefined ? 0 : Number(/^bytes=(\d+)-$/.exec(r)![1])));
    expect(starts[1]).toBeLessThanOrEqual(50_000);
    expect(starts[2]).toBeGreaterThanOrEqual(starts[1]!);
    expect(starts[2]).toBeLessThanOrEqual(starts[1]! + 100_000);
  });

  it("rewrites the partial file when the server ignores Range and sends the whole file", async () => {
    cdnIgnoreRange = true;
    const blob = join(cache, "models--org--model", "blobs", sha256(WEIGHTS));
    await mkdir(join(cache, "models--org--model", "blobs"), { recursive: true });
    await writeFile(`${blob}.incomplete`, Buffer.alloc(1000, 0xab));
    const path = await hubDownload("org/model", "model", "model.safetensors", optsFor());
    expect(cdnSeen.map((r) => r.range)).toEqual(["bytes=1000-"]);
    expect(readFileSync(path).equals(WEIGHTS)).toBe(true);
  });

  it("starts over when the partial file is longer than the blob", async () => {
    const blob = join(cache, "models--org--model", "blobs", MODEL_FILES.get("config.json")!.etag);
    await mkdir(join(cache, "models--org--model", "blobs"), { recursive: true });
    await writeFile(`${blob}.incomplete`, Buffer.alloc(CONFIG.length + 10, 65));
    const path = await hubDownload("org/model", "model", "config.json", optsFor());
    expect(readFileSync(path)).toEqual(CONFIG);
    expect(hubSeen.filter((r) => r.method === "GET").map((r) => r.range)).toEqual([undefined]);
  });

  it("returns the cached file on the second call without any network (branch and sha)", async () => {
    const first = await hubDownload("org/model", "model", "config.json", optsFor());
    const requests = hubSeen.length;
    const again = await hubDownload("org/model", "model", "config.json", optsFor({ endpoint: deadUrl }));
    const bySha = await hubDownload("org/model", "model", "config.json", optsFor({ endpoint: deadUrl, revision: COMMIT }));
    const offline = await hubDownload("org/model", "model", "config.json", optsFor({ env: { HF_HUB_OFFLINE: "1" } }));
    expect([again, bySha, offline]).toEqual([first, first, first]);
    expect(hubSeen.length).toBe(requests);
  });

  it("reuses an existing blob for another revision that points at the same content", async () => {
    await hubDownload("org/model", "model", "config.json", optsFor());
    const getsBefore = hubSeen.filter((r) => r.method === "GET").length;
    const v1 = await hubDownload("org/model", "model", "config.json", optsFor({ revision: "v1" }));
    expect(v1).toBe(join(cache, "models--org--model", "snapshots", OLD_COMMIT, "config.json"));
    expect(readFileSync(join(cache, "models--org--model", "refs", "v1"), "utf8")).toBe(OLD_COMMIT);
    expect(hubSeen.filter((r) => r.method === "GET").length).toBe(getsBefore);
    expect(readFileSync(v1)).toEqual(CONFIG);
  });

  it("follows a relative redirect of a renamed repo for the metadata request", async () => {
    const path = await hubDownload("org/old-name", "model", "config.json", optsFor());
    expect(path).toBe(join(cache, "models--org--old-name", "snapshots", COMMIT, "config.json"));
    expect(readFileSync(path)).toEqual(CONFIG);
  });

  it("404s name the repo, file and revision", async () => {
    const file = await errorOf(hubDownload("org/model", "model", "nope.bin", optsFor()));
    expect(file.message).toMatch(/file 'nope\.bin' not found in model repo 'org\/model' at revision 'main'/);
    expect(file.status).toBe(404);
    const rev = await errorOf(hubDownload("org/model", "model", "config.json", optsFor({ revision: "no-branch" })));
    expect(rev.message).toMatch(/revision 'no-branch' not found in model repo 'org\/model'/);
    const repo = await errorOf(hubDownload("org/missing", "model", "config.json", optsFor()));
    expect(repo.message).toMatch(/model repo 'org\/missing' not found on http:\/\/127\.0\.0\.1:\d+/);
    expect(repo.exitCode).toBe(2);
  });

  it("401s mention HF_TOKEN and never print the token", async () => {
    const none = await errorOf(hubDownload("org/private", "model", "config.json", optsFor()));
    expect(none.status).toBe(401);
    expect(none.message).toMatch(/no token was sent: set HF_TOKEN/);
    const wrong = "hf_wrongSECRET999";
    const bad = await errorOf(hubDownload("org/private", "model", "config.json", optsFor({ env: { HF_TOKEN: wrong } })));
    expect(bad.message).toMatch(/token from HF_TOKEN was sent and refused/);
    expect(`${bad.message}\n${bad.stack ?? ""}`).not.toContain(wrong);
    expect(hubSeen.at(-1)!.authorization).toBe(`Bearer ${wrong}`);
    const ok = await hubDownload("org/private", "model", "config.json", optsFor({ env: { HF_TOKEN: TOKEN } }));
    expect(readFileSync(ok)).toEqual(CONFIG);
    expect(progressOut.join("")).not.toContain(TOKEN);
  });

  it("names the endpoint when it cannot be reached, and HF_HUB_OFFLINE when the file is not cached", async () => {
    const down = await errorOf(hubDownload("org/model", "model", "config.json", optsFor({ endpoint: deadUrl, token: TOKEN })));
    expect(down.message).toContain(`cannot reach the hub endpoint ${deadUrl}`);
    expect(down.message).not.toContain(TOKEN);
    const offline = await errorOf(hubDownload("org/model", "model", "config.json", optsFor({ env: { HF_HUB_OFFLINE: "1" } })));
    expect(offline.message).toMatch(/HF_HUB_OFFLINE is set and 'config\.json' of model repo 'org\/model' at revision 'main' is not in the cache/);
  });

  it("rejects bad repo ids, file names and revisions before any request", async () => {
    await expect(hubDownload("org/../x", "model", "a", optsFor())).rejects.toThrow(/invalid Hugging Face repo id 'org\/\.\.\/x'/);
    await expect(hubDownload("org/model", "model", "../etc/passwd", optsFor())).rejects.toThrow(/invalid repo file name/);
    await expect(hubDownload("org/model", "model", "a", optsFor({ revision: "../x" }))).rejects.toThrow(/invalid Hugging Face revision/);
    expect(hubSeen).toEqual([]);
  });
});

describe("hubListFiles", () => {
  it("reads siblings[].rfilename from the revision API, with the token", async () => {
    const files = await hubListFiles("org/model", "model", optsFor({ token: TOKEN }));
    expect(files).toEqual(["config.json", "model.safetensors", "sub/dir/notes.txt", "unsized.bin"]);
    expect(hubSeen).toEqual([{ method: "GET", url: "/api/models/org/model/revision/main", authorization: `Bearer ${TOKEN}`, range: undefined }]);
  });
  it("falls back to the paginated tree API when the answer has no siblings", async () => {
    const files = await hubListFiles("org/data", "dataset", optsFor());
    expect(files).toEqual([".gitattributes", "data/train.csv"]);
    expect(hubSeen.map((r) => r.url)).toEqual([
      "/api/datasets/org/data/revision/main",
      "/api/datasets/org/data/tree/main?recursive=true",
      "/api/datasets/org/data/tree/main?recursive=true&cursor=2",
    ]);
  });
  it("lists the cached snapshot offline or when the endpoint is down, else names the endpoint", async () => {
    await hubDownload("org/model", "model", "config.json", optsFor());
    await hubDownload("org/model", "model", "sub/dir/notes.txt", optsFor());
    expect(await hubListFiles("org/model", "model", optsFor({ endpoint: deadUrl }))).toEqual(["config.json", "sub/dir/notes.txt"]);
    expect(await hubListFiles("org/model", "model", optsFor({ env: { HF_HUB_OFFLINE: "true" } }))).toEqual(["config.json", "sub/dir/notes.txt"]);
    const e = await errorOf(hubListFiles("org/other", "model", optsFor({ endpoint: deadUrl })));
    expect(e.message).toContain(`cannot reach the hub endpoint ${deadUrl}`);
  });
  it("reports 401 and 404 like downloads", async () => {
    expect((await errorOf(hubListFiles("org/private", "model", optsFor()))).message).toMatch(/HTTP 401.*set HF_TOKEN/);
    expect((await errorOf(hubListFiles("org/model", "model", optsFor({ revision: "gone" })))).message).toMatch(/revision 'gone' not found/);
  });
});

describe("cache location and snapshot lookup", () => {
  it("hubCacheDir: HF_HUB_CACHE, then HUGGINGFACE_HUB_CACHE, then $HF_HOME/hub, then XDG, then ~/.cache", () => {
    expect(hubCacheDir({ HF_HUB_CACHE: "/a/hub", HUGGINGFACE_HUB_CACHE: "/b", HF_HOME: "/c" })).toBe("/a/hub");
    expect(hubCacheDir({ HUGGINGFACE_HUB_CACHE: "/b", HF_HOME: "/c" })).toBe("/b");
    expect(hubCacheDir({ HF_HOME: "/c", XDG_CACHE_HOME: "/x" })).toBe("/c/hub");
    expect(hubCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/huggingface/hub");
    expect(hubCacheDir({ HF_HUB_CACHE: "" })).toBe(join(homedir(), ".cache", "huggingface", "hub"));
    expect(hubCacheDir({ HF_HOME: "~/hf" })).toBe(join(homedir(), "hf", "hub"));
  });

  it("token: option, then HF_TOKEN, then HUGGING_FACE_HUB_TOKEN, then $HF_HOME/token; endpoint: option, then HF_ENDPOINT", async () => {
    const home = join(cache, "home");
    await mkdir(home, { recursive: true });
    await writeFile(join(home, "token"), "hf_fromFILE\n");
    const sent = async (extra: Partial<HubOptions>) => {
      hubSeen.length = 0;
      await hubListFiles("org/model", "model", optsFor(extra));
      return hubSeen[0]!.authorization;
    };
    expect(await sent({ token: "hf_opt", env: { HF_TOKEN: "hf_env", HUGGING_FACE_HUB_TOKEN: "hf_old" } })).toBe("Bearer hf_opt");
    expect(await sent({ env: { HF_TOKEN: "hf_env", HUGGING_FACE_HUB_TOKEN: "hf_old" } })).toBe("Bearer hf_env");
    expect(await sent({ env: { HUGGING_FACE_HUB_TOKEN: "hf_old" } })).toBe("Bearer hf_old");
    expect(await sent({})).toBe("Bearer hf_fromFILE");
    await rm(join(home, "token"));
    expect(await sent({})).toBeUndefined();
    // HF_ENDPOINT is used when no endpoint option is given; the option wins over it
    hubSeen.length = 0;
    await hubListFiles("org/model", "model", { env: { HF_HUB_CACHE: cache, HF_HOME: home, HF_ENDPOINT: `${hubUrl}/` } });
    expect(hubSeen).toHaveLength(1);
    const e = await errorOf(hubListFiles("org/other", "model", { endpoint: deadUrl, env: { HF_HUB_CACHE: cache, HF_HOME: home, HF_ENDPOINT: hubUrl } }));
    expect(e.message).toContain(deadUrl);
  });

  it("findCachedSnapshot resolves main through refs/, takes a sha directly, and is null otherwise", async () => {
    const env = { HF_HUB_CACHE: cache };
    expect(findCachedSnapshot("org/model", "model", "main", env)).toBeNull();
    await hubDownload("org/model", "model", "config.json", optsFor());
    const snapshot = join(cache, "models--org--model", "snapshots", COMMIT);
    expect(findCachedSnapshot("org/model", "model", undefined, env)).toBe(snapshot);
    expect(findCachedSnapshot("org/model", "model", COMMIT, env)).toBe(snapshot);
    expect(findCachedSnapshot("org/model", "model", OLD_COMMIT, env)).toBeNull();
    expect(findCachedSnapshot("org/model", "model", "v1", env)).toBeNull();
    expect(findCachedSnapshot("org/model", "dataset", "main", env)).toBeNull();
    // a hand-made cache (as huggingface_hub leaves it) is found the same way
    const ds = join(cache, "datasets--org--handmade");
    await mkdir(join(ds, "snapshots", OLD_COMMIT), { recursive: true });
    await mkdir(join(ds, "refs"), { recursive: true });
    await writeFile(join(ds, "refs", "main"), `${OLD_COMMIT}\n`);
    expect(findCachedSnapshot("org/handmade", "dataset", "main", env)).toBe(join(ds, "snapshots", OLD_COMMIT));
    expect(await readFile(join(cache, "models--org--model", "refs", "main"), "utf8")).toBe(COMMIT);
  });
});
