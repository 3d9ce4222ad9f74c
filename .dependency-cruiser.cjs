/**
 * Which parts of raftlab may import which (`npm run check:deps`, run by CI). The README's
 * "Dependencies point one way" lists the same rules in prose. Rules about source files apply to
 * non-test files; tests may reach across (a kernel test may use the network to observe the kernel).
 */
const TEST = "\\.(test|browser\\.test|fixture)\\.ts$";

/** Lab code: what a student writes (the reference Raft and the KV service). It sees only the runtime API. */
const LAB_CODE = [
  "^src/raft/(raft|rules|log|progress|vote-tally|invariant|state-codec|rpc-types|api|service)\\.ts$",
  "^src/kvraft/(server|client|common|state-machine)\\.ts$",
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycles anywhere: every folder and file can be read bottom-up.",
      from: {},
      to: { circular: true },
    },
    {
      name: "porcupine-knows-no-lab",
      severity: "error",
      comment: "The checker package knows no lab and no simulation: it must stand alone.",
      from: { path: "^packages/porcupine/", pathNot: TEST },
      to: { path: "^(src|scripts|demo\\.ts)" },
    },
    {
      name: "runtime-stands-alone",
      severity: "error",
      comment: "src/runtime is the API lab code uses; it depends on no implementation of it.",
      from: { path: "^src/runtime/", pathNot: TEST },
      to: { path: "^src/", pathNot: "^src/runtime/" },
    },
    {
      name: "sim-knows-no-network-or-protocol",
      severity: "error",
      comment: "The simulation kernel knows the runtime API and nothing above it.",
      from: { path: "^src/sim/", pathNot: TEST },
      to: { path: "^src/", pathNot: "^src/(sim|runtime)/" },
    },
    {
      name: "labrpc-knows-no-raft",
      severity: "error",
      comment: "The network carries any service; it knows nothing of Raft, KV or the testers.",
      from: { path: "^src/labrpc/", pathNot: TEST },
      to: { path: "^src/", pathNot: "^src/(labrpc|sim|runtime)/" },
    },
    {
      name: "raft-knows-no-kv",
      severity: "error",
      comment: "Raft is a library the KV service uses, never the other way round.",
      from: { path: "^src/raft/" },
      to: { path: "^src/kvraft/" },
    },
    {
      name: "lab-code-sees-only-the-runtime",
      severity: "error",
      comment: "Lab code runs on any runtime: it imports src/runtime, never the simulation, the harness or the testers.",
      from: { path: LAB_CODE },
      to: { path: "^src/(sim|harness|tester|debug)/" },
    },
    {
      name: "models-describe-services-without-importing-them",
      severity: "error",
      comment: "Porcupine models say what a service should do; they do not import the service or the simulation.",
      from: { path: "^src/models/", pathNot: TEST },
      to: { path: "^src/", pathNot: "^src/models/" },
    },
    {
      name: "harness-only-from-tests-and-scripts",
      severity: "error",
      comment: "src/harness (vitest glue) is for test files and scripts; the code under test and the testers never import it.",
      from: { path: "^src/", pathNot: [TEST, "^src/harness/"] },
      to: { path: "^src/harness/" },
    },
    {
      name: "no-imports-of-test-files",
      severity: "error",
      comment: "Only test files import test files.",
      from: { pathNot: TEST },
      to: { path: TEST },
    },
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
