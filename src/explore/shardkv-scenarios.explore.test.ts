/**
 * The sharded key/value service (Lab 5) explore scenario as a simulated test, loaded only in
 * explore mode (`RAFTLAB_EXPLORE=1`, which `npm run explore` and the grader's explore component set;
 * see vitest.config.ts). Each run draws its fault plan from its seed and prints it; `EXPLORE_REPLAY`
 * replays a schedule instead (see src/explore/mode.ts).
 */
import { simTest } from "../harness/index.js";
import { SHARDKV_SCENARIOS } from "./scenarios/shardkv-scenarios.js";

for (const [name, scenario] of Object.entries(SHARDKV_SCENARIOS)) {
  simTest(name, (t) => scenario(t));
}
