// Runs pnpm with the given arguments (after tools/bootstrap.mjs put it on PATH), forwarding the exit code.
import { spawnSync } from "node:child_process";

const result = spawnSync("pnpm", process.argv.slice(2), {
  stdio: "inherit",
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
});
process.exit(result.status ?? 1);
