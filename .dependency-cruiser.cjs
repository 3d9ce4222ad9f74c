/**
 * Which parts of raftlab may import which (`npm run check:deps`, run by CI). The README's
 * "Dependencies point one way" lists the same rules in prose. Rules about source files apply to
 * non-test files; tests may reach across (a kernel test may use the network to observe the kernel).
 */
const TEST = "\\.(test|browser\\.test|fixture)\\.ts$";

const { labs } = require("./course/labs.json");

/**
 * A glob of course/labs.json (`*` and `**` only) as the regular expression dependency-cruiser
 * matches paths with (kept simple: it refuses regular expressions it cannot prove safe).
 */
function globRe(glob) {
  if (/[?{}[\]!()]/.test(glob)) throw new Error(`.dependency-cruiser.cjs: the pattern "${glob}" of course/labs.json uses more than * and **; extend globRe`);
  const escape = (t) => t.replace(/[.+^$|\\]/g, "\\$&");
  return `^${glob.split("**").map((part) => part.split("*").map(escape).join("[^/]*")).join(".*")}$`;
}

/**
 * The student's files, as course/labs.json gives them to the student (each lab's `student.include`
 * patterns, minus `student.exclude`): whatever files a student writes there, these rules apply.
 */
const STUDENT = labs.flatMap((l) => l.student.include.map(globRe));
/** The files of the lab folders that are not the student's (each lab's tester and tests). */
const NOT_STUDENT = labs.flatMap((l) => (l.student.exclude ?? []).map(globRe));
/**
 * Each lab's API (course/labs.json's `api`): the interfaces and types of the lab folders that a
 * student's code builds on and the tester calls (Raft's API and its persister, the shard
 * configuration). Like the student's code, they see only the runtime.
 */
const LAB_API = labs.flatMap((l) => (l.api ?? []).map(globRe));
/** What no lab code imports: the simulation, the vitest glue, the testers, the debugging and exploration tools. */
const NOT_FOR_LAB_CODE = "^src/(sim|harness|tester|debug|explore|monitors|realtime|cluster)/";
/** The one tester file lab code may import: the persister (Go's `persister.go`), re-exported by src/raft/persister.ts. */
const PERSISTER = "^src/tester/persister\\.ts$";

/**
 * The lab folders (each lab's student code, its tester and its tests), from the labs registry
 * (`course/labs.json`), so that a new lab's folder gets these rules by being listed there.
 */
const LABS = `^(${labs.map((l) => [l.folder, ...(l.moreFolders ?? [])].map((f) => f.replace(/[.]/g, "\\.")).join("|")).join("|")})/`;

/** The kept tests `npm run explore -- --shrink` writes into a lab folder (scripts/lib/kept-test.ts). */
const KEPT_TESTS = "^src/[^/]+/kept/[^/]+\\.test\\.ts$";

/**
 * A forbidden dependency: files matching `from` (minus `fromNot`) may not import files matching
 * `to` (minus `toNot`). Shorthand for dependency-cruiser's rule objects.
 */
function forbid(name, comment, from, to) {
  return {
    name,
    severity: "error",
    comment,
    from: { path: from.path, ...(from.not === undefined ? {} : { pathNot: from.not }) },
    to: { path: to.path, ...(to.not === undefined ? {} : { pathNot: to.not }) },
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "No import cycles anywhere: every folder and file can be read bottom-up.", from: {}, to: { circular: true } },
    forbid("porcupine-knows-no-lab", "The checker package knows no lab and no simulation: it must stand alone.",
      { path: "^packages/porcupine/", not: TEST }, { path: "^(src|scripts|demo\\.ts)" }),
    forbid("runtime-stands-alone", "src/runtime is the API lab code uses; it depends on no implementation of it.",
      { path: "^src/runtime/", not: TEST }, { path: "^src/", not: "^src/runtime/" }),
    forbid("sim-knows-no-network-or-protocol", "The simulation kernel knows the runtime API and nothing above it.",
      { path: "^src/sim/", not: TEST }, { path: "^src/", not: "^src/(sim|runtime)/" }),
    forbid("labrpc-knows-no-raft", "The network carries any service; it knows nothing of Raft, KV or the testers.",
      { path: "^src/labrpc/", not: TEST }, { path: "^src/", not: "^src/(labrpc|sim|runtime)/" }),
    forbid("raft-knows-no-kv", "Raft is a library the KV service uses, never the other way round.",
      { path: "^src/raft/" }, { path: "^src/kvraft/" }),
    forbid("student-code-sees-only-the-runtime", "The student's code runs on any runtime: it imports src/runtime, labrpc, the lab's API and the student's own files (its labs' and the labs it builds on), never the simulation, the harness, the testers or the debugging tools.",
      { path: STUDENT, not: [...NOT_STUDENT, TEST] }, { path: NOT_FOR_LAB_CODE, not: PERSISTER }),
    forbid("student-code-does-not-import-the-lab-testers", "The student's code never imports a lab's tester or tests (the files of the lab folders that are not the student's, apart from the lab's API): a grader replaces them with the original.",
      { path: STUDENT, not: [...NOT_STUDENT, TEST] }, { path: NOT_STUDENT, not: [...LAB_API, TEST] }),
    forbid("lab-api-sees-only-the-runtime", "A lab's API (course/labs.json's `api`) is lab code too: it imports the runtime and labrpc, never the simulation, the harness or the testers.",
      { path: LAB_API }, { path: NOT_FOR_LAB_CODE, not: PERSISTER }),
    forbid("models-describe-services-without-importing-them", "Porcupine models say what a service should do; they do not import the service or the simulation.",
      { path: "^src/models/", not: TEST }, { path: "^src/", not: "^src/models/" }),
    forbid("harness-only-from-tests-and-scripts", "src/harness (vitest glue) is for test files and scripts; the code under test and the testers never import it.",
      { path: "^src/", not: [TEST, "^src/harness/"] }, { path: "^src/harness/" }),
    forbid("realtime-knows-only-the-runtime", "The real-time runtime implements src/runtime and knows nothing above it, like the simulation.",
      { path: "^src/realtime/", not: TEST }, { path: "^src/", not: "^src/(realtime|runtime)/" }),
    forbid("cluster-runs-without-the-simulation", "Real cluster mode runs the lab code on the real-time runtime: no simulation, harness or tester.",
      { path: "^src/cluster/", not: TEST }, { path: "^src/(sim|harness|tester)/", not: "^src/tester/persister\\.ts$" }),
    forbid("labs-do-not-import-explore", "A lab's code, tester and tests never import the exploration tools: explore mode reaches lab tests through the testers' supervision hook (src/tester/supervision.ts). Kept tests (`<lab folder>/kept/`, written by `npm run explore -- --shrink`) replay an explore scenario, so they may.",
      { path: LABS, not: KEPT_TESTS }, { path: "^src/explore/" }),
    forbid("tester-imports-no-lab", "src/tester is what every lab's tester shares (cluster control, persister, failures, the linearizability check): it knows no lab.",
      { path: "^src/tester/", not: TEST }, { path: LABS }),
    forbid("monitors-see-only-the-lab-apis", "The safety monitors watch any Raft through its API (src/raft/api.ts), and any shard server through its optional view (src/shardkv/inspect.ts); they know no lab's code and no exploration tool.",
      { path: "^src/monitors/", not: TEST }, { path: [LABS, "^src/explore/"], not: "^src/(raft/api|shardkv/inspect)\\.ts$" }),
    forbid("no-imports-of-test-files", "Only test files import test files.", { path: ".", not: TEST }, { path: TEST }),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/|^packages/porcupine/dist/" },
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
