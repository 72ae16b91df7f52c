// Shared vitest config. Every package re-exports it from its own vitest.config.ts.
// The JSON reporter's file is a turbo output, so cached runs still count in the CI summary.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
