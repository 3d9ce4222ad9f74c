/**
 * Real cluster mode: the lab's Raft and KV server as processes on one machine (or several), over
 * TCP, with their state in files and an HTTP API. See the README's "Real cluster mode".
 */
export { NODE_DEFAULTS, NODE_USAGE, UsageError, parseNodeArgs, type NodeConfig } from "./config.js";
export { DataDirError, FilePersister, type FilePersisterOptions, type NodeIdentity } from "./file-persister.js";
export { LIMITS, type ApiBackend, type ApiOp, type ApiOutcome } from "./http-api.js";
export { KvHttpClient, KvUnavailableError, httpCall, type HttpAnswer, type KvHttpClientOptions } from "./http-client.js";
export { LocalEnd } from "./local-end.js";
export { stopProcesses } from "./processes.js";
export { ClusterNode, MAX_IN_FLIGHT, type NodeHooks } from "./node.js";
export { RaftObserver, type RaftRole } from "./raft-observer.js";
export { IdPool, Router, type KvRequest, type RouteResult } from "./router.js";
export { OPEN_GATE, type SendGate } from "./send-gate.js";
export { TRANSPORT, TcpTransport, parseHostPort, type TransportOptions } from "./transport.js";
export { FRAME, FrameDecoder, MAX_FRAME_BYTES, encodeFrame } from "./wire.js";
