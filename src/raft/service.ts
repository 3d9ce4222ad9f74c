import { Service, type ClientEnd } from "../labrpc/index.js";
import type { Channel } from "../runtime/index.js";
import type { ApplyMsg, MakeRaft, RaftPeer } from "./api.js";
import type { Persister } from "./persister.js";
import { Raft, make } from "./raft.js";
import type { AppendEntriesArgs, InstallSnapshotArgs, RequestVoteArgs } from "./rpc-types.js";

/**
 * The `"Raft"` RPC service of a peer made by `make`: `Raft.RequestVote`, `Raft.AppendEntries` and
 * `Raft.InstallSnapshot`. Add it to the peer's labrpc `Server`.
 */
export function raftService(rf: RaftPeer): Service {
  if (!(rf instanceof Raft)) throw new TypeError("raftService: rf must be a peer made by make() of src/raft");
  return new Service("Raft", {
    RequestVote: (args: RequestVoteArgs) => rf.requestVote(args),
    AppendEntries: (args: AppendEntriesArgs) => rf.appendEntries(args),
    InstallSnapshot: (args: InstallSnapshotArgs) => rf.installSnapshot(args),
  });
}

/**
 * Builds one Raft server: the peer, and the RPC service the network delivers its requests to. The
 * testers and the KV server take one, so they can run any Raft (the lab's, a student's, a fake).
 */
export type RaftServerFactory = (...args: Parameters<MakeRaft>) => { readonly peer: RaftPeer; readonly service: Service };

/** The lab's Raft (`./raft.ts`), served under the name "Raft". */
export const labRaft: RaftServerFactory = (peers: readonly ClientEnd[], me: number, persister: Persister, applyCh: Channel<ApplyMsg>) => {
  const rf = make(peers, me, persister, applyCh);
  return { peer: rf, service: raftService(rf) };
};
