/**
 * Vitest setup file of explore mode (`vitest.config.ts` loads it when `RAFTLAB_EXPLORE=1`): lab
 * tests that qualify run under the nemesis.
 */
import { installLabNemesis } from "./lab-nemesis.js";

installLabNemesis();
