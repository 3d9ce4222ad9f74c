/**
 * labrpc: the simulated RPC network of the labs (lossy, delayed, reordering, partitionable), in
 * virtual time. It knows nothing of Raft.
 */
export { EncodeError, encode, type Encoded } from "./codec.js";
export { LABRPC, LabClientEnd, Network, type ClientEnd, type EndName, type ServerName } from "./network.js";
export { Server, Service, UnknownMethodError, type Handler } from "./service.js";
