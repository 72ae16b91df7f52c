// Installs pnpm (the version pinned in package.json's packageManager) when it is missing, then the
// workspace's dependencies from the lockfile. Needs only Node 20 and npm.
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";

const pinned = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).packageManager;
const version = pinned.split("@")[1];
let have = "";
try {
  have = execSync("pnpm --version", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
} catch {
  have = "";
}
if (have !== version) {
  console.error(`[bootstrap] installing pnpm@${version} (found: ${have || "none"})`);
  execSync(`npm install --global pnpm@${version}`, { stdio: "inherit" });
}
execSync("pnpm install --frozen-lockfile", { stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } });
