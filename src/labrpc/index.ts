/**
 * labrpc: the simulated RPC network of the labs (lossy, delayed, reordering, partitionable), in
 * virtual time. It knows nothing of Raft.
 */
export { EncodeError, encode, type Encoded } from "./codec.js";
export { LABRPC, originalFaults, type FaultPolicy, type MessageInfo, type NetworkConditions } from "./faults.js";
export { MESSAGE_TAP, type MessageTap } from "./message-tap.js";
export { LabClientEnd, Network, type ClientEnd, type EndName, type ServerName } from "./network.js";
export { Server, Service, UnknownMethodError, type Handler } from "./service.js";
