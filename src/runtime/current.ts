import type { Runtime } from "./runtime.js";

/**
 * Where the ambient functions (`now()`, `sleep()`, ...) find the runtime of the calling code.
 *
 * A runtime registers a *resolver*: a function that returns the runtime of the code running right
 * now, or undefined if that code does not belong to it. The simulation's resolver looks at the
 * calling task's context, so a task of a simulated run always reaches its own run (even after the
 * run has finished: then its calls park). Resolvers are asked in the order they were registered.
 */
type Resolver = () => Runtime | undefined;

const resolvers: Resolver[] = [];

/** Registers a runtime's resolver (once per runtime implementation, at module load). */
export function registerRuntime(resolver: Resolver): void {
  if (!resolvers.includes(resolver)) resolvers.push(resolver);
}

/** The runtime of the calling code, or undefined if it runs in none. */
export function currentRuntime(): Runtime | undefined {
  for (const resolve of resolvers) {
    const rt = resolve();
    if (rt !== undefined) return rt;
  }
  return undefined;
}

/** The runtime of the calling code; throws a clear error naming `what` when there is none. */
export function runtimeFor(what: string): Runtime {
  const rt = currentRuntime();
  if (rt === undefined) {
    throw new Error(
      `${what} was called outside a simulation. Lab code runs inside runSim(seed, main) ` +
        `(tests use simTest(...)), which provides virtual time and seeded randomness; ` +
        `a simulation that has finished no longer accepts calls from outside its own tasks.`,
    );
  }
  return rt;
}
