/**
 * The deterministic simulation kernel: virtual time, seeded randomness, tasks and channels.
 * It knows nothing of networks or protocols.
 */
export { Channel, ChannelClosedError } from "./channel.js";
export { ambient as currentSimulation } from "./current.js";
export { SimulationError, type SimulationErrorKind } from "./errors.js";
export { VIRTUAL_EPOCH_MS } from "./globals.js";
export { TOPICS, dlog, dmark, type LogEntry, type Mark, type Topic } from "./log.js";
export { Random } from "./random.js";
export { after, go, now, random, sleep } from "./runtime.js";
export { Simulation, runSim, type SimOptions, type SimResult, type SimTimer } from "./simulation.js";
export { Trace, formatTime } from "./trace.js";
