// Resources that ship inside the repository, named `embedded:<name>` so a recipe (and `dept quickstart`) can
// point at them independently of the working directory: a recipe's other paths are relative to where
// `dept sweep` runs, but the quickstart must work from any cwd of a fresh clone with nothing downloaded.
// The sweep resolves the names to absolute folders before it writes a run's config, so `dept train` only
// ever sees plain paths.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const EMBEDDED_PREFIX = "embedded:";

export type EmbeddedKind = "model" | "data";

interface EmbeddedEntry {
  readonly kind: EmbeddedKind;
  readonly describe: string;
  /** Absolute folder. */
  readonly dir: () => string;
}

/** This package's own assets/ folder. */
function assetsDir(name: string): string {
  return fileURLToPath(new URL(`../assets/${name}/`, import.meta.url));
}

/** A folder under @dept/datasets' data/ (found through the dependency, not a ../../ path into another package). */
function datasetsDataDir(name: string): string {
  const entry = createRequire(import.meta.url).resolve("@dept/datasets"); // <pkg>/src/index.ts
  return join(dirname(dirname(entry)), "data", name);
}

/** Which flag takes which kind of embedded resource. */
export const EMBEDDED_FLAGS: Readonly<Record<string, EmbeddedKind>> = { model_name_or_path: "model", data_dir: "data" };

export const EMBEDDED: Readonly<Record<string, EmbeddedEntry>> = {
  "t5-tiny-random": {
    kind: "model",
    describe: "tiny T5 (d_model 32, 2+2 layers) with RANDOM weights and the real t5-base tokenizer (assets/t5-tiny-random/README.md)",
    dir: () => assetsDir("t5-tiny-random"),
  },
  "amazon-sentiment": {
    kind: "data",
    describe: "1,000 labelled Amazon review sentences, 700/150/150, custom task.json (packages/datasets/data/amazon-sentiment/README.md)",
    dir: () => datasetsDataDir("amazon-sentiment"),
  },
};

/** A value that names an embedded resource is wrong: which name, what exists. */
export class EmbeddedError extends Error {
  override readonly name = "EmbeddedError";
  readonly exitCode = 2;
}

export function isEmbedded(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(EMBEDDED_PREFIX);
}

/**
 * `embedded:<name>` -> its absolute folder; any other value is returned unchanged. `flag` (model_name_or_path or
 * data_dir) must be one that takes this kind of resource; `where` prefixes errors.
 */
export function resolveEmbedded(flag: string, value: string, where: string): string {
  if (!isEmbedded(value)) return value;
  const name = value.slice(EMBEDDED_PREFIX.length);
  const kind = EMBEDDED_FLAGS[flag];
  const known = Object.entries(EMBEDDED)
    .filter(([, e]) => kind === undefined || e.kind === kind)
    .map(([n]) => `${EMBEDDED_PREFIX}${n}`);
  if (kind === undefined) {
    throw new EmbeddedError(`${where}: ${flag} '${value}': embedded names are only for ${Object.keys(EMBEDDED_FLAGS).join(" and ")}`);
  }
  const entry = Object.hasOwn(EMBEDDED, name) ? EMBEDDED[name] : undefined;
  if (entry?.kind !== kind) {
    throw new EmbeddedError(`${where}: ${flag} '${value}': no embedded ${kind} of that name (expected ${known.join(", ")})`);
  }
  const dir = entry.dir();
  if (!existsSync(dir)) throw new EmbeddedError(`${where}: ${flag} '${value}': its folder ${dir} is missing from this checkout`);
  return dir;
}
