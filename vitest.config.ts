import { defineConfig } from "vitest/config";

/** Explore mode (`npm run explore` sets it): the explore scenarios are loaded, and lab tests run under the nemesis. */
const explore = process.env["RAFTLAB_EXPLORE"] === "1";

/**
 * Three projects:
 * - `lab`: everything that needs Node alone (`npm test`); in explore mode also the explore
 *   scenarios (`*.explore.test.ts`), which `npm run explore` runs through it.
 * - `explore`: the explore scenarios in explore mode, so that an explore failure's replay command
 *   (`npx vitest run src/explore/scenarios.explore.test.ts -t ...`) runs in explore mode by itself.
 * - `browser`: tests that drive headless Chromium (`npm run test:browser`).
 * - `cluster`: tests that start real node processes (`npm run test:cluster`), one file at a time
 *   so that two clusters do not compete for the two cores.
 * The simulation enforces its own virtual- and real-time budgets, so the vitest timeout is only a
 * last line of defence.
 */
export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 600_000,
    hookTimeout: 60_000,
    reporters: ["default", "./scripts/summary-reporter.ts"],
    // Explore mode: lab tests that qualify run under the nemesis (the testers' supervision hook).
    setupFiles: explore ? ["./src/explore/explore-mode.setup.ts"] : [],
    projects: [
      {
        extends: true,
        test: {
          name: "lab",
          include: ["src/**/*.test.ts", "packages/*/test/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["**/*.browser.test.ts", "**/*.cluster.test.ts", "**/node_modules/**", ...(explore ? [] : ["**/*.explore.test.ts"])],
        },
      },
      {
        extends: true,
        test: {
          name: "explore",
          include: ["src/**/*.explore.test.ts"],
          env: { RAFTLAB_EXPLORE: "1" },
          setupFiles: ["./src/explore/explore-mode.setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["src/**/*.browser.test.ts", "packages/*/test/**/*.browser.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "cluster",
          include: ["src/**/*.cluster.test.ts"],
          fileParallelism: false,
        },
      },
    ],
  },
});
