import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:course`: the course kit's end-to-end tests (build a handout and install it, grade it,
 * build the Gradescope archive and run it on several submissions). Heavy, so not part of `npm test`;
 * CI runs it after. One file at a time: each already runs tests in parallel inside.
 */
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["scripts/course-*.e2e.ts"],
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 300_000,
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
});
