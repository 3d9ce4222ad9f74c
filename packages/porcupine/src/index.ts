/**
 * porcupine: a linearizability checker for TypeScript (a port of the algorithm of Go
 * porcupine: Wing & Gong / Lowe search with P-compositionality).
 */

export * from "./types.js";
export {
  checkOperations,
  checkOperationsVerbose,
  checkOperationsAsync,
  checkOperationsVerboseAsync,
  checkEvents,
  checkEventsVerbose,
  checkEventsAsync,
  checkEventsVerboseAsync,
  checkOperationsDetailed,
  checkOperationsDetailedAsync,
  checkEventsDetailed,
  checkEventsDetailedAsync,
  checkPartitionsIndividually,
  type PartitionReport,
} from "./checker.js";
export { defaultMaxCacheEntries } from "./scheduler.js";
export { addAnnotations, formatValue } from "./info.js";
export { nondeterministicToModel } from "./nondeterministic.js";
export * from "./visualize.js";
