import { formatTime } from "./trace.js";

/** Why a simulated run was stopped by the simulator itself (rather than by the code under test). */
export type SimulationErrorKind =
  | "deadlock"
  | "livelock"
  | "virtual-time-budget"
  | "real-time-budget"
  | "task-failed"
  | "misuse";

/**
 * An error raised by the simulator. The message always names the seed, so the run can be replayed.
 */
export class SimulationError extends Error {
  override readonly name = "SimulationError";

  constructor(
    readonly kind: SimulationErrorKind,
    readonly seed: string | number,
    readonly virtualTime: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${detail} [seed ${seed}, virtual time ${formatTime(virtualTime)}]`, options);
  }
}
