/**
 * The explore scenarios as simulated tests, loaded only in explore mode (`RAFTLAB_EXPLORE=1`, which
 * `npm run explore` sets; see vitest.config.ts). Each run draws its fault plan from its seed and
 * prints it; `EXPLORE_REPLAY` replays a schedule instead (see src/explore/mode.ts).
 */
import { simTest } from "../harness/index.js";
import { SCENARIOS } from "./scenarios/index.js";

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  simTest(name, (t) => scenario(t));
}
