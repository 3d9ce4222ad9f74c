/**
 * The real-time runtime: lab code (Raft, the KV server, the Clerk) on Node's clock, timers and
 * crypto randomness. Importing this module registers it as the fallback runtime: code that runs in
 * no simulation gets it, and code of a simulated run still gets its simulation.
 *
 * ```ts
 * import { realRuntime } from "../realtime/index.js";
 * realRuntime.onTaskFailure((task, e) => { console.error(task, e); process.exit(1); });
 * const kv = startKVServer(ends, me, persister, maxraftstate); // runs in real time
 * ```
 */
import { registerRuntime } from "../runtime/index.js";
import { RealRuntime } from "./real-runtime.js";

export { CryptoRandom } from "./crypto-random.js";
export { RealRuntime, type LogSink, type TaskFailureHandler } from "./real-runtime.js";

/** The process's one real-time runtime. */
export const realRuntime = new RealRuntime();

registerRuntime(() => realRuntime, { fallback: true });
