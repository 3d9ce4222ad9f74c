import { Service } from "../labrpc/index.js";
import { labRaft, type ApplyMsg, type RaftPeer, type RaftServerFactory } from "../raft/index.js";
import { Channel, go, type LogEntry } from "../runtime/index.js";
import type { LeaderRequest, TermReply } from "./kv-wire.js";

/** Raft's role, as its log marks report it. */
export type RaftRole = "follower" | "candidate" | "leader";

/**
 * What a node reports about its Raft peer (`/status`, the leader hint of forwarding), learnt
 * without touching Raft's code or internals:
 *
 * - role, term and commit index from the structured marks Raft logs (`dmark`: a role change
 *   carries the new term, a commit the new index); the node routes its runtime's log entries here;
 * - the leader from the AppendEntries and InstallSnapshot requests this peer accepts (the
 *   `leaderId` of a request whose reply has the request's term);
 * - the last applied index from the apply channel, which passes through here on its way from
 *   Raft to the KV server.
 *
 * Use {@link factory} as the KV server's `RaftServerFactory`: it makes the lab's Raft (`labRaft`).
 */
export class RaftObserver {
  private peer: RaftPeer | undefined;
  private role: RaftRole = "follower";
  private markTerm = 0;
  private commit = 0;
  private applied = 0;
  private leaderId: number | undefined;
  private leaderTerm = -1;

  constructor(private readonly me: number) {}

  /** Makes the lab's Raft, wrapping its RPC service and its apply channel to watch them. */
  readonly factory: RaftServerFactory = (peers, me, persister, applyCh) => {
    const fromRaft = new Channel<ApplyMsg>();
    const { peer, service } = labRaft(peers, me, persister, fromRaft);
    this.peer = peer;
    go(`S${me} apply relay`, async () => {
      for await (const m of fromRaft) {
        this.applied = m.commandValid ? m.commandIndex : m.snapshotIndex;
        await applyCh.send(m);
      }
    });
    const watch = (method: string) => {
      const inner = service.handler(method) as (args: LeaderRequest) => TermReply | Promise<TermReply>;
      return (args: LeaderRequest): TermReply | Promise<TermReply> => {
        const seen = (reply: TermReply): TermReply => {
          const { term, leaderId } = args;
          if (typeof term === "number" && typeof leaderId === "number" && reply?.term === term && term >= this.leaderTerm) {
            this.leaderId = leaderId;
            this.leaderTerm = term;
          }
          return reply;
        };
        const reply = inner(args);
        return reply instanceof Promise ? reply.then(seen) : seen(reply);
      };
    };
    const watched = new Service("Raft", {
      RequestVote: service.handler("RequestVote"),
      AppendEntries: watch("AppendEntries"),
      InstallSnapshot: watch("InstallSnapshot"),
    });
    return { peer, service: watched };
  };

  /** Takes a log entry of the runtime: this peer's role and commit marks. */
  observe(entry: LogEntry): void {
    if (entry.peer !== this.me || entry.mark === undefined) return;
    const mark = entry.mark;
    if (mark.kind === "role") {
      this.role = mark.role;
      this.markTerm = mark.term;
    } else if (mark.kind === "commit") {
      this.commit = mark.index;
    }
  }

  /** The current term (Raft's own answer). */
  term(): number {
    return this.peer?.getState().term ?? this.markTerm;
  }

  /** Leader, candidate or follower. */
  currentRole(): RaftRole {
    if (this.peer?.getState().isLeader === true) return "leader";
    // A mark for an older term than Raft's is stale (the term moved on): then we follow.
    return this.role === "leader" || this.markTerm !== this.term() ? "follower" : this.role;
  }

  /** The leader of the current term (a Raft index), if this peer knows it. */
  leader(): number | undefined {
    if (this.peer?.getState().isLeader === true) return this.me;
    return this.leaderTerm === this.term() ? this.leaderId : undefined;
  }

  /** The highest index this peer knows to be committed. */
  commitIndex(): number {
    return this.commit;
  }

  /** The index of the last entry (or snapshot) handed to the KV server. */
  lastApplied(): number {
    return this.applied;
  }
}
