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

/** Asked after every other resolver, whatever the order of registration. */
const fallbacks: Resolver[] = [];

/**
 * Registers a runtime's resolver (once per runtime implementation, at module load). A `fallback`
 * resolver (the real-time runtime, which answers for any code) is asked only after all others, so
 * code of a simulated run reaches its simulation even if the fallback's module loaded first.
 */
export function registerRuntime(resolver: Resolver, { fallback = false }: { readonly fallback?: boolean } = {}): void {
  const list = fallback ? fallbacks : resolvers;
  if (!list.includes(resolver)) list.push(resolver);
}

/** The runtime of the calling code, or undefined if it runs in none. */
export function currentRuntime(): Runtime | undefined {
  for (const resolve of resolvers) {
    const rt = resolve();
    if (rt !== undefined) return rt;
  }
  for (const resolve of fallbacks) {
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
