// Sums every package's vitest JSON report (packages/*/test-results/vitest.json) into the one line CI reads:
// "N passed, N failed" (", N skipped" when any were skipped). Exits non-zero when a test failed or a report is missing.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../packages/", import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const pkg of readdirSync(root).sort()) {
  const dir = join(root, pkg);
  if (!existsSync(join(dir, "vitest.config.ts"))) continue;
  const report = join(dir, "test-results", "vitest.json");
  if (!existsSync(report)) {
    missing.push(pkg);
    continue;
  }
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += json.numPendingTests + (json.numTodoTests ?? 0);
  if (json.numFailedTestSuites > 0 && json.numFailedTests === 0) failed += json.numFailedTestSuites;
}
if (missing.length > 0) console.error(`[test-summary] no vitest report for: ${missing.join(", ")}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
