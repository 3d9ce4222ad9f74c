/**
 * The KV (Lab 4) explore scenarios as simulated tests, loaded only in explore mode (`RAFTLAB_EXPLORE=1`,
 * which `npm run explore` and the grader's explore component set; see vitest.config.ts). Each run
 * draws its fault plan from its seed and prints it; `EXPLORE_REPLAY` replays a schedule instead
 * (see src/explore/mode.ts).
 */
import { simTest } from "../harness/index.js";
import { KV_SCENARIOS } from "./scenarios/kv-scenarios.js";

for (const [name, scenario] of Object.entries(KV_SCENARIOS)) {
  simTest(name, (t) => scenario(t));
}
