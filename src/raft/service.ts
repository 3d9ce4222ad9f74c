import { Service } from "../labrpc/index.js";
import type { RaftPeer } from "./api.js";
import { Raft } from "./raft.js";
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
