/**
 * The testers' supervision hook: every lab tester hands its network to {@link superviseNetwork}
 * once, before its servers start, and whatever supervisor is installed adds to it. Explore mode
 * installs one (its nemesis, for the lab tests that qualify: `src/explore/lab-nemesis.ts`); the
 * testers know nothing of it, so no lab imports the exploration tools.
 */
import type { Network } from "../labrpc/index.js";
import { currentSimulation } from "../sim/index.js";
import type { TestInfo } from "./test-info.js";

/** Adds something to a lab test's network before its servers start (explore mode's nemesis). */
export type LabTestSupervisor = (net: Network, t: TestInfo) => void;

let labTestSupervisor: LabTestSupervisor | undefined;

/** Installs the supervisor every later {@link superviseNetwork} call runs (undefined: none). */
export function setLabTestSupervisor(supervisor: LabTestSupervisor | undefined): void {
  labTestSupervisor = supervisor;
}

/** Hands a lab test's network to the installed supervisor, if any, inside a run. */
export function superviseNetwork(net: Network, t: TestInfo): void {
  if (currentSimulation() !== undefined) labTestSupervisor?.(net, t);
}
