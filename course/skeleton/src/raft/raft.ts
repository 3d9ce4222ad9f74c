/**
 * Your Raft peer (Lab 3). This is the file you write; `rpc-types.ts` holds your RPC messages, and
 * you may add files of your own under `src/raft/` (see `handout.json` for what is yours).
 *
 * The tester and the KV service (Lab 4) use Raft only through the API of `api.ts`:
 *
 *   const rf = make(peers, me, persister, applyCh);  // must return quickly
 *   rf.start(command);   // { index, term, isLeader }: start agreement on a new log entry
 *   rf.getState();       // { term, isLeader }
 *   rf.snapshot(index, bytes);  // 3D: the service has snapshotted everything through index
 *   rf.kill();  rf.killed();
 *   rf.persistedSize();  // bytes of Raft state last saved (Lab 4 compares it with maxraftstate)
 *
 * Each time a new entry is committed, each peer sends an ApplyMsg with `commandValid: true` on
 * `applyCh`, in index order; in 3D, installed snapshots go on the same channel with
 * `snapshotValid: true`.
 *
 * The network delivers the RPCs named "Raft.RequestVote", "Raft.AppendEntries" and
 * "Raft.InstallSnapshot" to requestVote(), appendEntries() and installSnapshot() below (the wiring
 * is `service.ts`, which is the tester's).
 *
 * How code runs here (read the README's "Rules"): there are no threads and no locks. `go(name, fn)`
 * starts a task (a goroutine); JavaScript runs one task at a time and switches only at an `await`,
 * so after every `await` other tasks may have changed this peer's state: check it again (same
 * term? still leader? killed?). Time and randomness come from `src/runtime` only: `now()`,
 * `sleep(ms)`, `after(ms, fn)`, `random`. Never setTimeout, Date.now or Math.random.
 */
import type { ClientEnd } from "../labrpc/index.js";
import { dlog, go, random, sleep, type Channel } from "../runtime/index.js";
import type { ApplyMsg, MakeRaft, RaftPeer, RaftState, StartResult } from "./api.js";
import type { Persister } from "./persister.js";
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  RequestVoteArgs,
  RequestVoteReply,
} from "./rpc-types.js";

/** A single Raft peer. The tester creates it with {@link make}. */
export class Raft implements RaftPeer {
  /** Set by kill(): every loop of this peer should end once it is true. */
  private isDead = false;

  // Your data here (3A, 3B, 3C).
  // Look at the paper's Figure 2 for a description of what state a Raft server must maintain.

  /**
   * `peers[i]` reaches peer i; `peers[me]` is this peer. `persister` holds what this peer saved
   * before it crashed, if anything. Send committed commands (and, in 3D, snapshots) on `applyCh`.
   */
  constructor(
    readonly peers: readonly ClientEnd[],
    readonly me: number,
    readonly persister: Persister,
    readonly applyCh: Channel<ApplyMsg>,
  ) {
    // Your initialization code here (3A, 3B, 3C).

    // Initialize from state persisted before a crash.
    this.readPersist(persister.readRaftState());

    // Start the ticker task to start elections. In 3B you will also want a task that sends
    // committed entries on applyCh (an "applier"), woken when commitIndex moves.
    go(`S${this.me} ticker`, () => this.ticker());
    dlog(me, "INFO", "started (skeleton)");
  }

  /** Returns the current term and whether this peer believes it is the leader. */
  getState(): RaftState {
    // Your code here (3A).
    throw new Error("not implemented: Raft.getState (3A), in src/raft/raft.ts");
  }

  /**
   * The service using Raft (e.g. a KV server) wants to start agreement on the next command to be
   * appended to Raft's log. If this server isn't the leader, return isLeader false. Otherwise start
   * the agreement and return immediately: there is no guarantee that this command will ever be
   * committed, since the leader may fail or lose an election. Even once killed, this should return
   * gracefully. `index` is the index the command will appear at if it is ever committed, `term` the
   * current term.
   */
  start(command: unknown): StartResult {
    // Your code here (3B).
    void command; // (marks the argument as used, for the compiler, until your code uses it)
    throw new Error("not implemented: Raft.start (3B), in src/raft/raft.ts");
  }

  /**
   * The service says it has created a snapshot that has all info up to and including `index`. This
   * means the service no longer needs the log through (and including) that index. Raft should now
   * trim its log as much as possible, and persist the snapshot with its state.
   */
  snapshot(index: number, snapshot: Uint8Array): void {
    // Your code here (3D).
    void index;
    void snapshot;
    throw new Error("not implemented: Raft.snapshot (3D), in src/raft/raft.ts");
  }

  /**
   * The tester doesn't halt the tasks Raft creates after each test, but it does call kill(). Your
   * loops should check killed() and stop, and a killed peer must not send or apply anything more.
   */
  kill(): void {
    this.isDead = true;
    // Your code here, if desired.
  }

  /** Whether kill() has been called. */
  killed(): boolean {
    return this.isDead;
  }

  /** Bytes of Raft state this peer saved last: what Lab 4 compares with maxraftstate. */
  persistedSize(): number {
    // Your code here (3C). The persister can tell (see persister.ts).
    throw new Error("not implemented: Raft.persistedSize (3C), in src/raft/raft.ts");
  }

  // Optional: inspect(): RaftInspection (see api.ts). A Raft that has it gets its state checked
  // against Raft's safety properties at every step by the tester's monitors, which then fail a
  // run at the first step that breaks one, instead of when a test happens to notice.

  // ---------------------------------------------------------------------------------------------
  // RPC handlers: the network calls these with a private copy of the arguments and sends back
  // what they return (they may also be async). To send an RPC to peer `server`, from a task of its
  // own since the call waits:
  //
  //   const reply = await this.peers[server]!.call<RequestVoteReply>("Raft.RequestVote", args);
  //   if (reply === undefined) ... // lost, timed out, or the server is down: labrpc's false
  //
  // A reply can arrive long after it was sent, out of order, or never; a request can be delivered
  // twice. Arguments and replies must be plain data (objects, arrays, strings, numbers, booleans,
  // null, Uint8Array).

  /** RequestVote RPC handler (Figure 2). */
  requestVote(args: RequestVoteArgs): RequestVoteReply {
    // Your code here (3A, 3B).
    void args;
    throw new Error("not implemented: Raft.requestVote (3A), in src/raft/raft.ts");
  }

  /** AppendEntries RPC handler (Figure 2), also the leader's heartbeat. */
  appendEntries(args: AppendEntriesArgs): AppendEntriesReply {
    // Your code here (3A, 3B).
    void args;
    throw new Error("not implemented: Raft.appendEntries (3A), in src/raft/raft.ts");
  }

  /** InstallSnapshot RPC handler (Figure 13, the whole snapshot in one message). */
  installSnapshot(args: InstallSnapshotArgs): InstallSnapshotReply {
    // Your code here (3D).
    void args;
    throw new Error("not implemented: Raft.installSnapshot (3D), in src/raft/raft.ts");
  }

  // ---------------------------------------------------------------------------------------------
  // Tasks and persistence

  /** Starts an election if this peer hasn't heard from a leader lately. */
  private async ticker(): Promise<void> {
    while (!this.killed()) {
      // Your code here (3A)
      // Check if a leader election should be started.

      // Pause for a random amount of time between 50 and 350 milliseconds (virtual time).
      const ms = 50 + random.int(300);
      await sleep(ms);
    }
  }

  /**
   * Saves Raft's persistent state to stable storage, where it can be retrieved after a crash and
   * restart. See the paper's Figure 2 for a description of what should be persistent. Before you've
   * implemented snapshots, pass null as the second argument to persister.save(); after you've
   * implemented snapshots, pass the current snapshot (or null if there's not yet a snapshot).
   * (Not private only so that the skeleton compiles before anything calls it: the compiler rejects
   * unused private members. Make it private once your code calls it.)
   */
  persist(): void {
    // Your code here (3C).
    // Encode the state as bytes (Uint8Array), for example with TextEncoder and JSON:
    //   const state = new TextEncoder().encode(JSON.stringify({ ... }));
    //   this.persister.save(state, null);
  }

  /** Restores previously persisted state (`data` is empty if nothing was saved yet). */
  private readPersist(data: Uint8Array): void {
    if (data.length === 0) return; // bootstrap without any state
    // Your code here (3C).
    // For example:
    //   const saved = JSON.parse(new TextDecoder().decode(data)) as { ... };
    //   then set currentTerm, votedFor and the log from saved.
  }
}

/**
 * Creates a Raft peer (the tester's `Make`). It must return quickly: start tasks (`go`) for any
 * long-running work.
 */
export const make: MakeRaft = (...args) => new Raft(...args);
