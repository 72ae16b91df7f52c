// @dept/test-assets: where shared test fixtures live. One copy of each file, reached through assetPath() by any
// package that declares this package as a devDependency (never by a relative path into another package).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Root folder of the assets (this package's folder). */
export const ASSETS_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Absolute path of an asset, e.g. assetPath("golden", "cases", "t5-tiny", "c_dept"). Throws when it is missing. */
export function assetPath(...segments: string[]): string {
  const path = join(ASSETS_ROOT, ...segments);
  if (!existsSync(path)) throw new Error(`@dept/test-assets: no asset ${segments.join("/")} (looked for ${path})`);
  return path;
}
