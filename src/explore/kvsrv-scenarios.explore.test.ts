/**
 * The key/value server (Lab 2) explore scenario as a simulated test, loaded only in explore mode
 * (`RAFTLAB_EXPLORE=1`, which `npm run explore` and the grader's explore component set; see
 * vitest.config.ts). Each run draws its fault plan from its seed and prints it; `EXPLORE_REPLAY`
 * replays a schedule instead (see src/explore/mode.ts).
 */
import { simTest } from "../harness/index.js";
import { KVSRV_SCENARIOS } from "./scenarios/kvsrv-scenarios.js";

for (const [name, scenario] of Object.entries(KVSRV_SCENARIOS)) {
  simTest(name, (t) => scenario(t));
}
