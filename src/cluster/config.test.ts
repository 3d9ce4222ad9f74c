import { describe, expect, it } from "vitest";
import { NODE_DEFAULTS, UsageError, defaultMaxRaftState, parseNodeArgs } from "./config.js";

const PEERS = "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003";
const base = ["--id", "2", "--peers", PEERS, "--data", "/tmp/x", "--http", "8002"];

describe("parseNodeArgs", () => {
  it("reads a full command line, with loopback HTTP by default", () => {
    expect(parseNodeArgs(base)).toEqual({
      id: 2,
      peers: PEERS.split(","),
      listen: "127.0.0.1:7002",
      dataDir: "/tmp/x",
      http: { host: "127.0.0.1", port: 8002 },
      faultInjection: false,
      maxRaftState: defaultMaxRaftState(2),
      requestTimeoutMs: NODE_DEFAULTS.REQUEST_TIMEOUT_MS,
      log: undefined,
    });
    const c = parseNodeArgs([...base, "--addr", "0.0.0.0:7002", "--http", "0.0.0.0:9000", "--fault-injection", "--log", "-"]);
    expect(c).toMatchObject({ listen: "0.0.0.0:7002", http: { host: "0.0.0.0", port: 9000 }, faultInjection: true, log: "-" });
    expect(parseNodeArgs(["--help"])).toBe("help");
  });

  it("staggers the default snapshot threshold by node id (the nodes then checkpoint at different times), and keeps a given one", () => {
    const of = (id: number): number => (parseNodeArgs(["--id", String(id), "--peers", PEERS, "--data", "d", "--http", "1"]) as { maxRaftState: number }).maxRaftState;
    expect(of(1)).toBe(NODE_DEFAULTS.MAX_RAFT_STATE);
    expect(new Set([of(1), of(2), of(3)]).size).toBe(3);
    expect((parseNodeArgs([...base, "--max-raft-state", "65536"]) as { maxRaftState: number }).maxRaftState).toBe(65536);
  });

  it.each([
    [["--id", "2", "--data", "/tmp/x", "--http", "1"], "--peers is required"],
    [[...base, "--bogus"], "Unknown option '--bogus' (see --help)"],
    [["--id", "4", "--peers", PEERS, "--data", "d", "--http", "1"], "--id 4: expected an id from 1 to 3 (the node's place in --peers)"],
    [["--id", "x", "--peers", PEERS, "--data", "d", "--http", "1"], "--id x: expected an id from 1 to 3"],
    [["--id", "1", "--peers", "127.0.0.1:7001", "--data", "d", "--http", "1"], "a cluster needs at least 2"],
    [["--id", "1", "--peers", "127.0.0.1:7001,127.0.0.1:7001", "--data", "d", "--http", "1"], "--peers lists 127.0.0.1:7001 twice"],
    [["--id", "1", "--peers", "127.0.0.1:7001,nope", "--data", "d", "--http", "1"], '--peers entry 2: "nope" is not host:port'],
    [[...base, "--addr", "127.0.0.1:9999"], "have different ports: node 2 must listen where its peers reach it"],
    [[...base, "--http", "99999"], "--http 99999: the port must be 0..65535"],
    [[...base, "--max-raft-state", "12"], "--max-raft-state 12: expected an integer from 1024"],
  ])("refuses %j naming the problem", (argv, message) => {
    expect(() => parseNodeArgs(argv)).toThrow(UsageError);
    expect(() => parseNodeArgs(argv)).toThrow(message);
  });
});
