import { defineConfig } from "vitest/config";

/** Explore mode (`npm run explore` sets it): the explore scenarios are loaded, and lab tests run under the nemesis. */
const explore = process.env["RAFTLAB_EXPLORE"] === "1";

/**
 * The tests of the command-line tools and the course kit, most of them end to end through the
 * processes they start (vitest, tsx, depcruise), and of the harness where the process is what is
 * tested (the watchdog kills a hung test process; a mutant's scratch copy goes when its process
 * ends by a signal): `npm run test:tools`, which CI runs in full. They would take about half of
 * `npm test`'s CPU time, so `npm test` (the labs and the libraries) leaves them out.
 */
const TOOL_TESTS = [
  "scripts/check-deps.test.ts",
  "scripts/course-docs.test.ts",
  "scripts/course-grade.test.ts",
  "scripts/course-kit.test.ts",
  "scripts/explore-shards.test.ts",
  "scripts/explore-planted.test.ts",
  "scripts/explore.test.ts",
  "scripts/logs.test.ts",
  "scripts/sharded-runs.test.ts",
  "scripts/stress.test.ts",
  "src/explore/mutants/mutants.test.ts",
  "src/explore/mutants/scratch-cleanup.test.ts",
  "src/harness/artifacts.test.ts",
  "src/harness/watchdog.test.ts",
];

/**
 * Five projects:
 * - `lab`: everything that needs Node alone (`npm test`) but the tool tests; in explore mode also the
 *   explore scenarios (`*.explore.test.ts`), which `npm run explore` runs through it.
 * - `tools`: the tool tests (`TOOL_TESTS`, `npm run test:tools`).
 * - `explore`: the explore scenarios in explore mode, so that an explore failure's replay command
 *   (`npx vitest run src/explore/raft-scenarios.explore.test.ts -t ...`) runs in explore mode by itself.
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
    // vitest keeps each module's transform in node_modules/.experimental-vitest-cache, keyed by its
    // content and the configuration: a part's run starts without compiling its imports again.
    // `npx vitest --clearCache` empties it.
    experimental: { fsModuleCache: true },
    // Explore mode: lab tests that qualify run under the nemesis (the testers' supervision hook).
    setupFiles: explore ? ["./src/explore/explore-mode.setup.ts"] : [],
    projects: [
      {
        extends: true,
        test: {
          name: "lab",
          // Reports type errors after the tests (the grader scores 0 while the type check fails).
          globalSetup: ["./src/harness/typecheck-setup.ts"],
          // Test files share their worker processes: a fresh process per file (vitest's default)
          // cost about a fifth of the suite's CPU time. The simulation resets its state at each
          // run; a file that measures the whole process asks for its own (src/harness/own-process.ts).
          isolate: false,
          setupFiles: ["./src/harness/own-process.setup.ts"],
          include: ["src/**/*.test.ts", "packages/*/test/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["**/*.browser.test.ts", "**/*.cluster.test.ts", "**/node_modules/**", ...TOOL_TESTS, ...(explore ? [] : ["**/*.explore.test.ts"])],
        },
      },
      {
        extends: true,
        test: {
          name: "tools",
          include: TOOL_TESTS,
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
