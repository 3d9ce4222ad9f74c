/**
 * The Raft lab's persister (Go's `raft/persister.go`). It lives with the tester (`src/tester`),
 * which saves and restores it across crashes for every lab; lab code imports it from here.
 */
export { MemoryPersister, Persister, STORAGE_BYTES_PER_MS } from "../tester/persister.js";
