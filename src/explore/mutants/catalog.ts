/**
 * The mutation catalog: classic bugs of the Raft and KV labs, each a small edit of the reference
 * (a search text and its replacement in one file), kept as data and planted only in scratch copies
 * of the repository (`plant.ts`), never in the source tree. `npm run mutants` plants each one and
 * reports which checks catch it, after how many runs: what the harness catches, measured.
 */

/** A lab part. */
export type LabPart = "2" | "3A" | "3B" | "3C" | "3D" | "4A" | "4B" | "5A" | "5B";

/** One planted bug. */
export interface Mutant {
  /** A short, unique name, e.g. `vote-not-persisted`. */
  readonly id: string;
  /** The part whose tests should catch it (explore runs that part's scenarios and lab tests). */
  readonly part: LabPart;
  /** What the student did, in one line. */
  readonly title: string;
  /** Why it is wrong, and what it takes to see it. */
  readonly why: string;
  /** The file to edit, relative to the repository's root. */
  readonly file: string;
  /** Text that occurs exactly once in the file... */
  readonly search: string;
  /** ...and what it becomes. */
  readonly replace: string;
  /**
   * Set for an equivalent mutant, one that cannot change how the reference behaves: why not. Such a
   * mutant is still run (and must pass), but it is not counted as missed.
   */
  readonly equivalent?: string;
  /**
   * Set for a mutant that only the faithful lab tests can see (explore's scenarios check answers,
   * not memory): why. It counts as caught when the lab tests catch it.
   */
  readonly labTestsOnly?: string;
  /**
   * Set for a mutant that explore cannot show (its `why` says why): the unit test that catches it
   * instead. `npm run mutants` runs the explore scenarios first (they must miss it), then this test,
   * which must fail; it counts as caught when it does.
   */
  readonly unitTest?: { readonly file: string; readonly test: string };
  /**
   * In the fast subset that `npm test` plants (src/explore/mutants/mutants.test.ts): the check that
   * must report it there (the start of its failure's first line, e.g. "Log Matching violated"),
   * within `seeds` seeds of its part's explore scenario, or of `scenario` (a targeted one of that part).
   */
  readonly fast?: { readonly check: string; readonly seeds: number; readonly scenario?: string };
  /**
   * The Raft it is planted in: the lab's (`reference`, the default) or the harness's second,
   * student-style one (`student-style`: src/explore/student-style/raft.ts, swapped in for the lab's
   * in the scratch copy).
   */
  readonly implementation?: Implementation;
  /** The kind of bug (the same kinds are planted in both implementations), for the report. */
  readonly kind?: BugKind;
}

/** The Raft implementations the catalog plants bugs in. */
export type Implementation = "reference" | "student-style";

/** Kinds of bug, as the issue lists them: the report counts seeds per implementation and kind. */
export type BugKind =
  | "stale reply taken as fresh"
  | "stale InstallSnapshot"
  | "stale AppendEntries"
  | "not persisted"
  | "timer"
  | "election"
  | "log matching"
  | "commit rule"
  | "liveness"
  | "kv";

const RAFT = "src/raft/raft.ts";
const RULES = "src/raft/rules.ts";
const KV_SERVER = "src/kvraft/server.ts";
const KV_SM = "src/kvraft/state-machine.ts";
const READ_INDEX = "src/raft/read-index.ts";
const STUDENT = "src/explore/student-style/raft.ts";
const KVSRV_SERVER = "src/kvsrv/server.ts";
const KVSRV_CLIENT = "src/kvsrv/client.ts";
const CTRLER_REBALANCE = "src/shardctrler/rebalance.ts";
const SHARD_SERVER = "src/shardkv/server.ts";
const SHARD_SM = "src/shardkv/state-machine.ts";

/** The catalog. */
export const MUTANTS: readonly Mutant[] = [
  {
    id: "kvsrv-no-duplicate-detection",
    part: "2",
    title: "the Lab 2 server executes every Append it receives, retries and late copies included",
    why: "a retried Append whose reply was lost is applied twice (an element twice in the value; the history is not linearizable)",
    file: KVSRV_SERVER,
    search: "    const answered = this.seen(args);\n    if (answered !== undefined) return { value: answered };\n",
    replace: "",
    fast: { check: "error: new value", seeds: 10 },
  },
  {
    id: "kvsrv-table-keeps-every-reply",
    part: "2",
    title: "the Lab 2 server's duplicate table keeps every old Append reply of a Clerk, not only the last",
    why: "correct answers, but memory grows with every Append (TestMemManyAppends: 1000 replies of up to 1 MB)",
    file: KVSRV_SERVER,
    search: "    this.lastRequest.set(args.clientId, { requestId: args.requestId, reply: old });\n",
    replace: "    this.lastRequest.set(args.clientId, { requestId: args.requestId, reply: old, older: this.lastRequest.get(args.clientId) } as LastRequest);\n",
    labTestsOnly: "every answer is right; only the memory tests (TestMemManyAppends) measure what the server keeps",
  },
  {
    id: "kvsrv-append-answers-new-value",
    part: "2",
    title: "the Lab 2 server's Append answers the value after the append instead of before",
    why: "the 2024 Append returns the old value; the new element shows in the answer (and the history is not linearizable)",
    file: KVSRV_SERVER,
    search: "    return { value: old };\n  }",
    replace: "    return { value: old + args.value };\n  }",
    fast: { check: "error: new value", seeds: 5 },
  },
  {
    id: "kvsrv-get-from-stale-cache",
    part: "2",
    title: "the Lab 2 Clerk remembers the first value it read of each key and answers later Gets from it",
    why: "a Get must see every Put and Append that completed before it (a client's own appends, then linearizability)",
    file: KVSRV_CLIENT,
    search: "      if (answer !== undefined) return answer.value;\n",
    replace:
      "      if (answer !== undefined) {\n" +
      "        const cache = ((this as unknown as { staleCache?: Map<string, string> }).staleCache ??= new Map<string, string>());\n" +
      "        if (!cache.has(key)) cache.set(key, answer.value);\n" +
      "        return cache.get(key)!;\n" +
      "      }\n",
    fast: { check: "get wrong value", seeds: 5 },
  },
  {
    id: "vote-twice-in-a-term",
    kind: "election",
    part: "3A",
    title: "a voter grants its vote to every candidate of a term, not only the first",
    why: "two candidates of one term can both win a majority (Election Safety)",
    file: RULES,
    search: "  if (voter.votedFor !== null && voter.votedFor !== args.candidateId) return false;\n",
    replace: "",
    fast: { check: "Election Safety violated", seeds: 10 },
  },
  {
    id: "no-election-restriction",
    kind: "election",
    part: "3B",
    title: "a voter grants its vote without checking that the candidate's log is at least as up-to-date (§5.4.1)",
    why: "a candidate that lacks committed entries can win, and overwrite them (Leader Completeness)",
    file: RULES,
    search: "  return isAtLeastAsUpToDate(args, voter);\n}",
    replace: "  return true;\n}",
    fast: { check: "Leader Completeness violated", seeds: 10 },
  },
  {
    id: "no-prev-term-check",
    kind: "log matching",
    part: "3B",
    title: "a follower checks only that it has an entry at prevLogIndex, not its term",
    why: "entries are appended after a different prefix (Log Matching)",
    file: RULES,
    search: "  } else if (log.termAt(prevLogIndex) !== args.prevLogTerm) {",
    replace: "  } else if (log.termAt(prevLogIndex) === undefined) {",
    fast: { check: "Log Matching violated", seeds: 10 },
  },
  {
    id: "truncate-on-stale-append",
    kind: "stale AppendEntries",
    part: "3B",
    title: "a follower deletes everything after prevLogIndex on every AppendEntries, even when the entries match",
    why: "a stale, shorter AppendEntries delivered late deletes entries the leader already counted as replicated; it takes a reordered request, which reliable links and a leader with one request in flight never produce",
    file: RULES,
    search: "    if (log.termAt(index) === entry.term) continue; // same index and term: same entry (§5.3)\n",
    replace: "    if (log.termAt(index) === entry.term && index < lastNewIndex) continue;\n    if (index === lastNewIndex && log.termAt(index) === entry.term) {\n      log.truncate(index + 1);\n      changed = true;\n      break;\n    }\n",
    fast: { check: "State Machine Safety violated", seeds: 10 },
  },
  {
    id: "start-overwrites-uncommitted",
    kind: "log matching",
    part: "3B",
    title: "start() puts the new command right after the last committed entry, over any uncommitted ones",
    why: "the leader overwrites entries of its own log (Leader Append-Only)",
    file: RAFT,
    search: "    this.log.append({ term: this.currentTerm, command: copy });",
    replace: "    this.log.truncate(this.commitIndex + 1);\n    this.log.append({ term: this.currentTerm, command: copy });",
    fast: { check: "Leader Append-Only violated", seeds: 40 },
  },
  {
    id: "accept-stale-term",
    kind: "stale AppendEntries",
    part: "3B",
    title: "AppendEntries of an older term is not rejected",
    why: "a deposed leader's entries replace a newer leader's committed ones (State Machine Safety, Log Matching)",
    file: RAFT,
    search: "    if (args.term < this.currentTerm) return staleTermReply(this.currentTerm);\n    this.followLeader(args.term);\n    const result",
    replace: "    this.followLeader(args.term);\n    const result",
  },
  {
    id: "commit-beyond-request",
    kind: "stale AppendEntries",
    part: "3B",
    title: "a follower commits up to min(leaderCommit, its last index) instead of the last entry of the request",
    why: "it would commit entries the leader's request did not vouch for, if a leader ever sent a leaderCommit beyond the entries it sent",
    file: RAFT,
    search: "    this.advanceCommitTo(Math.min(args.leaderCommit, result.lastNewIndex));",
    replace: "    this.advanceCommitTo(Math.min(args.leaderCommit, this.log.lastIndex()));",
    equivalent:
      "the reference leader always sends its whole log from nextIndex (leaderCommit <= its last index = the request's last entry), and a stale request carries its own, older leaderCommit, so min(leaderCommit, lastNewIndex) = leaderCommit = min(leaderCommit, lastIndex) on every request it can receive",
  },
  {
    id: "leader-keeps-leading-on-same-term-append",
    kind: "election",
    part: "3A",
    title: "a leader that receives an AppendEntries of its own term does not step down",
    why: "only matters with two leaders in one term",
    file: RAFT,
    search: '    if (this.role !== "follower") this.setRole("follower");',
    replace: '    if (this.role === "candidate") this.setRole("follower");',
    equivalent:
      "a leader receives an AppendEntries of its own term only from another leader of that term, which the reference never elects (Election Safety), so the changed branch never runs",
  },
  {
    id: "vote-not-persisted",
    kind: "not persisted",
    part: "3C",
    title: "a granted vote is not persisted before the reply",
    why: "a voter that crashes right after replying forgets its vote and votes again in the same term (Election Safety); the window is one message wide, so random crashes rarely hit it",
    file: RAFT,
    search: "      this.votedFor = args.candidateId;\n      this.persist();",
    replace: "      this.votedFor = args.candidateId;",
    fast: { check: "Election Safety violated", seeds: 20 },
  },
  {
    id: "candidate-term-not-persisted",
    kind: "not persisted",
    part: "3C",
    title: "a candidate does not persist its new term and its vote for itself before asking for votes",
    why: "after a crash it is back in its old term, can vote for another candidate of the term it ran in, and the votes it gathered before the crash still count for it (Election Safety)",
    file: RAFT,
    search: "    this.persist(); // before asking for votes: we must not vote twice in this term after a crash\n",
    replace: "",
  },
  {
    id: "append-not-persisted",
    kind: "not persisted",
    part: "3C",
    title: "a follower does not persist the entries it accepted before replying success",
    why: "the leader counts them as replicated and commits; a crash of the follower loses them (Leader Completeness)",
    file: RAFT,
    search: "    if (result.changed) {\n      this.persist();",
    replace: "    if (result.changed) {",
  },
  {
    id: "figure8-commit-by-counting",
    kind: "commit rule",
    part: "3C",
    title: "a leader commits an entry of an earlier term once a majority stores it (Figure 8)",
    why: "a server with a later-term entry at that index can still be elected and overwrite it (Leader Completeness); needs a specific sequence of crashes and elections",
    file: RULES,
    search: "  if (majorityMatch > commitIndex && log.termAt(majorityMatch) === currentTerm) return majorityMatch;",
    // Still reads both parameters, so that the mutant type-checks (unused parameters are errors) and can be graded.
    replace: "  if (majorityMatch > commitIndex && (log.termAt(majorityMatch) ?? 0) <= currentTerm) return majorityMatch;",
  },
  {
    id: "snapshot-not-persisted",
    kind: "not persisted",
    part: "3D",
    title: "persist() saves the Raft state but not the snapshot",
    why: "a restarted server has compacted its log but has no snapshot to restore the service from",
    file: RAFT,
    search: "    this.persister.save(state, this.snapshotData);",
    replace: "    this.persister.save(state, null);",
  },
  {
    id: "installed-snapshot-not-committed",
    kind: "stale InstallSnapshot",
    part: "3D",
    title: "a follower that installs a leader's snapshot does not advance its commitIndex to it",
    why: "the applier hands the snapshot to the service although commitIndex is below it",
    file: RAFT,
    search: "    // The applier sees snapshotIndex > lastApplied and hands the snapshot to the service.\n    this.advanceCommitTo(args.lastIncludedIndex);",
    replace: "    // The applier sees snapshotIndex > lastApplied and hands the snapshot to the service.\n    this.applyWakeup.trySend(null);",
  },
  // Stale replies and requests (the follower-side and reply-handling bugs students write most).
  {
    id: "candidate-counts-stale-vote",
    kind: "stale reply taken as fresh",
    part: "3A",
    title: "a candidate counts a vote granted in its earlier election (it checks its role, not the term of the request the reply answers)",
    why: "a reply held past the candidate's next election makes it leader of the new term without a majority of that term (Election Safety, Leader Completeness)",
    file: RAFT,
    search: '        if (this.role !== "candidate" || this.currentTerm !== term || !reply.voteGranted) return;',
    replace: '        if (this.role !== "candidate" || !reply.voteGranted) return;',
    fast: { check: "Election Safety violated", seeds: 10 },
  },
  {
    id: "leader-takes-stale-append-reply",
    kind: "stale reply taken as fresh",
    part: "3B",
    title: "a leader handles an AppendEntries or InstallSnapshot reply under its current term, not the term of the request it answers",
    why:
      "a reply of its earlier leadership, held until it leads again, moves matchIndex for a log that has changed since. In the reference it takes more than that: " +
      "matchIndex never decreases and only entries of the current term are committed by counting, so the stale match hurts only if the follower still lacks an entry " +
      "at or below the old request's last index that the re-elected leader has (a follower cut off since, with the old term's entries): then the leader commits " +
      "counting it (the commitment check: stored on fewer than a majority) or can never back up below that index for it (liveness: a command took too long). " +
      "Random faults do not line this up; the scripted ExploreRaftStaleAppendReply3B does",
    file: RAFT,
    search: "    if (this.dead || this.adoptTermIfNewer(reply.term) || !this.isLeaderOf(term)) return \"ignore\";",
    replace: "    if (this.dead || this.adoptTermIfNewer(reply.term) || !this.isLeaderOf(this.currentTerm)) return \"ignore\";\n    if (term !== this.currentTerm) return this.progress[peer]!.replyArrived(id, this.currentTerm);",
    fast: { check: "State Machine Safety violated", seeds: 5, scenario: "ExploreRaftStaleAppendReply3B" },
  },
  {
    id: "snapshot-drops-log",
    kind: "stale InstallSnapshot",
    part: "3D",
    title: "a follower that installs a leader's snapshot discards its whole log, even the entries after the snapshot that it has",
    why: "entries the leader counted as replicated on it are gone: a snapshot sent while the follower's reply to the entries was on its way deletes entries the leader committed (the commitment check: a committed entry deleted from any log)",
    file: RAFT,
    search: "    this.log.compact(args.lastIncludedIndex, args.lastIncludedTerm);\n    this.snapshotData = args.data;",
    replace: "    if (this.log.lastIndex() > this.log.snapshotIndex) this.log.truncate(this.log.snapshotIndex + 1);\n    this.log.compact(args.lastIncludedIndex, args.lastIncludedTerm);\n    this.snapshotData = args.data;",
  },
  {
    id: "term-from-append-not-persisted",
    kind: "not persisted",
    part: "3C",
    title: "a follower that learns a newer term from an AppendEntries does not persist it (only new entries are persisted)",
    why: "after a crash it is back in the older term, and accepts a deposed leader's AppendEntries of that term again; the nemesis sees it at the restart (a term it had replied in, forgotten), when a vote request was lost and the term came with an AppendEntries that changed nothing",
    file: RAFT,
    search: "    if (args.term < this.currentTerm) return staleTermReply(this.currentTerm);\n    this.followLeader(args.term);",
    replace: "    if (args.term < this.currentTerm) return staleTermReply(this.currentTerm);\n    if (args.term > this.currentTerm) {\n      this.currentTerm = args.term;\n      this.votedFor = null;\n    }\n    this.followLeader(args.term);",
  },
  // Liveness bugs: they break no safety property; the liveness phase's checks name them
  // (src/explore/scenarios/raft-liveness.ts).
  {
    id: "follower-timer-not-reset-on-append",
    kind: "liveness",
    part: "3A",
    title: "a follower does not reset its election timer when it hears from the leader",
    why: "followers time out under a healthy leader and depose it again and again: no leader stays",
    file: RAFT,
    search: '    if (this.role !== "follower") this.setRole("follower");\n    this.resetElectionTimer();\n',
    replace: '    if (this.role !== "follower") this.setRole("follower");\n',
    fast: { check: "liveness: leader deposed on a healed network", seeds: 5 },
  },
  {
    id: "heartbeat-flood",
    kind: "liveness",
    part: "3A",
    title: "the leader sends heartbeats every 10 ms",
    why: "ten times the lab's at most ten per second: the network floods (TestCount3B's bound)",
    file: RAFT,
    search: "  HEARTBEAT_MS: 100,",
    replace: "  HEARTBEAT_MS: 10,",
    fast: { check: "liveness: too many RPCs", seeds: 5 },
  },
  {
    id: "vote-needs-longer-log",
    kind: "liveness",
    part: "3A",
    title: "a voter grants its vote only to a candidate whose log is strictly longer than its own (> for >=)",
    why: "with equal logs nobody can win an election: no leader, ever, on a healthy network",
    file: RULES,
    search: "  return candidate.lastLogIndex >= voter.lastLogIndex;",
    replace: "  return candidate.lastLogIndex > voter.lastLogIndex;",
    fast: { check: "liveness: no stable leader", seeds: 5 },
  },
  {
    id: "vote-timer-not-reset",
    kind: "timer",
    part: "3A",
    title: "a voter does not reset its election timer when it grants a vote",
    why: "it may time out right after voting, before the candidate it voted for has told it that it won, and depose it",
    file: RAFT,
    search: "      this.resetElectionTimer(); // granting a vote defers our own candidacy (Figure 2, Followers)\n",
    replace: "",
    fast: { check: "liveness: election timer not reset on a vote", seeds: 5 },
  },
  {
    id: "commit-only-with-new-entries",
    kind: "liveness",
    part: "3B",
    title: "a follower advances its commitIndex only when an AppendEntries brings it new entries",
    why: "the last command a leader commits stays uncommitted on the followers until another one comes",
    file: RAFT,
    search: "    this.advanceCommitTo(Math.min(args.leaderCommit, result.lastNewIndex));",
    replace: "    if (result.changed) this.advanceCommitTo(Math.min(args.leaderCommit, result.lastNewIndex));",
    fast: { check: "liveness: a command took too long", seeds: 5 },
  },
  // --- the leader's parallel write (thesis §10.2.1), branch writepath ---
  {
    id: "leader-counts-unsynced-index",
    kind: "commit rule",
    part: "3C",
    title: "the leader counted at its unsynced last index",
    why:
      "the leader's AppendEntries leave before its own save is durable (real cluster mode), so counting itself at its last index " +
      "commits an entry that only one follower holds durably: a crash of both loses a committed entry",
    file: RAFT,
    search: "    const match = this.progress.map((p, i) => (i === this.me ? ours : p!.match));",
    replace: "    const match = this.progress.map((p, i) => (i === this.me ? this.log.lastIndex() : p!.match));",
    equivalent:
      "the simulated persister is durable at once and the node's messages wait out its storage time, so in the labs and explore " +
      "the durable index is the last index; src/raft/durable-storage.test.ts catches it (Durable Commit) on storage that lags its saves",
  },
  {
    id: "kv-duplicate-reapplied",
    kind: "kv",
    part: "4A",
    title: "the duplicate table treats only older request ids as duplicates, so a retried write is applied again",
    why: "a Clerk that retries after a lost reply gets its append applied twice",
    file: KV_SM,
    search: "    if (last !== undefined && cmd.requestId <= last.requestId) {",
    replace: "    if (last !== undefined && cmd.requestId < last.requestId) {",
  },
  {
    id: "kv-local-reads",
    kind: "kv",
    part: "4A",
    title: "a leader answers Get from its local state without going through the log",
    why: "a deposed leader that does not know it yet returns stale values (not linearizable)",
    file: KV_SERVER,
    search: '  private async get(args: GetArgs): Promise<GetReply> {\n    const out = await this.submit({ op: "get", key: args.key, clientId: args.clientId, requestId: args.requestId });',
    replace:
      '  private async get(args: GetArgs): Promise<GetReply> {\n    if (this.rf.getState().isLeader && this.sm.lastApplied > 0) return { err: "OK", value: this.sm.get(args.key) ?? "" };\n    const out = await this.submit({ op: "get", key: args.key, clientId: args.clientId, requestId: args.requestId });',
    fast: { check: "get wrong value", seeds: 25 },
  },
  {
    id: "kv-answer-by-index",
    kind: "kv",
    part: "4A",
    title: "a handler answers success when anything is applied at the index its command got, without checking that it is its command",
    why: "after a change of leader another command takes that index, and the Clerk believes a write happened that never did",
    file: KV_SERVER,
    search: "        const ours = w.clientId === command.clientId && w.requestId === command.requestId;",
    replace: "        const ours = true;",
  },
  {
    id: "kv-cas-retry-wrong-result",
    kind: "kv",
    part: "4A",
    title: "a retried compare-and-swap is answered from the duplicate table as a success, whatever the original's result",
    why: "a Clerk whose failed CAS's reply was lost retries it and is told that it succeeded: the value it expects is not there",
    file: KV_SM,
    search: "    if (last === undefined || requestId > last.requestId) return undefined;\n    return { err: \"OK\", value: \"\", ok: requestId === last.requestId ? last.ok : false };",
    replace: "    if (last === undefined || requestId > last.requestId) return undefined;\n    return { err: \"OK\", value: \"\", ok: true };",
    fast: { check: "cas wrong result", seeds: 10 },
  },
  {
    id: "kv-duplicate-table-not-in-snapshot",
    kind: "kv",
    part: "4B",
    title: "the snapshot holds the key/value map but not the duplicate table",
    why: "a server restored from a snapshot applies a retried write again",
    file: KV_SM,
    search: "    const dup: [number, number, number][] = [...this.lastWrite].map(([c, w]) => [c, w.requestId, w.ok ? 1 : 0]);",
    replace: "    const dup: [number, number, number][] = [];",
  },
  // ReadIndex (the reference's read path for real cluster mode, src/raft/read-index.ts): the
  // targeted scenario ExploreKVDeposedLeaderRead4A reads through a deposed leader and through a new
  // one; the lab's own KV tests keep gets in the log, so only the scenarios can catch these.
  {
    id: "read-index-no-round",
    kind: "kv",
    part: "4A",
    title: "ReadIndex serves a read at the leader's commitIndex at once, without a heartbeat round",
    why: "a leader cut off in a minority does not know it is deposed: it returns a value from before the new leader's write (a stale read)",
    file: READ_INDEX,
    search: "    this.pending.push({ round: this.started + 1, resolve });\n    if (!this.inFlight) this.startRound();\n",
    replace: "    resolve(true);\n",
  },
  {
    id: "read-index-no-term-check",
    kind: "kv",
    part: "4A",
    title: "ReadIndex takes the commitIndex before an entry of the leader's own term is committed",
    why: "a new leader's commitIndex may not cover a write its predecessor acknowledged: its first read misses it (thesis §6.4, step 1)",
    file: RAFT,
    search: '    if (commitTerm !== this.currentTerm) return Promise.resolve({ kind: "not-yet" });\n',
    replace: "",
  },
  {
    id: "read-index-earlier-round",
    kind: "kv",
    part: "4A",
    title: "ReadIndex counts acknowledgements of a round sent before the read arrived",
    why: "a leader whose last round was acknowledged before it was cut off serves the next read at once: a stale read after a newer leader's write",
    file: READ_INDEX,
    search: "    this.pending.push({ round: this.started + 1, resolve });",
    replace: "    this.pending.push({ round: this.started, resolve });",
  },
  {
    id: "read-index-no-apply-wait",
    kind: "kv",
    part: "4A",
    title: "a get by ReadIndex is answered from the state machine without waiting until it has applied through the read index",
    why:
      "stale when the state machine lags the read index; in the simulation it never does when a read index comes back: applying takes no virtual time, and a read index needs a round trip after the commit it covers, so explore cannot show it; the KV server's unit test with a scripted Raft does",
    file: KV_SERVER,
    search: '    if (point.kind === "not-leader" || !(await this.appliedThrough(point.index))) return { err: "ErrWrongLeader", value: "" };',
    replace: '    if (point.kind === "not-leader") return { err: "ErrWrongLeader", value: "" };',
    unitTest: { file: "src/kvraft/server.test.ts", test: "answers a get only once the state machine has applied through the read index" },
  },
  // The same kinds of bug in the student-style Raft (src/explore/student-style/raft.ts).
  ...studentStyle([
    ["student-counts-stale-vote", "stale reply taken as fresh", "3A", "a candidate counts a vote granted in its earlier election", "        if (this.state === \"candidate\" && this.currentTerm === args.term && reply.voteGranted) {", "        if (this.state === \"candidate\" && reply.voteGranted) {"],
    ["student-takes-stale-append-reply", "stale reply taken as fresh", "3B", "a leader acts on an AppendEntries reply of its earlier term", "      if (this.state !== \"leader\" || this.currentTerm !== args.term) return;\n      if (reply.success) {", "      if (this.state !== \"leader\") return;\n      if (reply.success) {"],
    ["student-snapshot-drops-log", "stale InstallSnapshot", "3D", "InstallSnapshot drops the whole log, even entries after the snapshot", "    if (args.lastIncludedIndex <= this.lastIndex() && this.termOf(args.lastIncludedIndex) === args.lastIncludedTerm) {", "    if (false as boolean) {"],
    [
      "student-installs-older-snapshot", "stale InstallSnapshot", "3D", "InstallSnapshot is installed even when it is older than what the follower committed",
      "    if (args.lastIncludedIndex <= this.commitIndex) return { term: this.currentTerm };\n", "    if (args.lastIncludedIndex <= this.lastIncludedIndex) return { term: this.currentTerm };\n",
      "an older snapshot moves commitIndex back (the commitment check), but only one newer than the follower's own snapshot: with the lab tests' services (a snapshot every 10 applied entries on every server, applying in no time) the follower's own snapshot trails its commitIndex only for an instant; ExploreRaftSnapshots3D's services snapshot every 10-40 entries each and are sometimes slow, so a leader's snapshot often falls between the follower's snapshot and its commitIndex",
    ],
    ["student-truncate-on-append", "stale AppendEntries", "3B", "a follower truncates its log after prevLogIndex on every AppendEntries, even when the entries match", "      if (index <= this.lastIndex() && this.termOf(index) === args.entries[k]!.term) continue;\n", ""],
    [
      "student-commit-beyond-request", "stale AppendEntries", "3C", "a follower commits up to min(leaderCommit, its last index), not the last entry the request carried", "Math.min(args.leaderCommit, lastNew)", "Math.min(args.leaderCommit, this.lastIndex())",
      "it commits entries past the request's last one; harmful only if they differ from the leader's, i.e. the follower keeps entries of an earlier term past the first index where it differs from the leader, and the request ends below that index",
      "its leader never sends a request that ends below a follower's first conflicting index while the follower keeps entries past it: nextIndex starts at the leader's last index + 1 (past the conflict), a rejection backs it up exactly to the conflict (the fast backup, or its snapshot's index + 1), a success moves it to the largest match + 1 (below the conflict only by a request that reaches it and truncates), and until a request reaches the conflict the follower's log does not change, so every (late or held) rejection of that term says the same; copies and delays of its requests carry entries of the leader's log and a leaderCommit it had committed. Observable with a leader whose nextIndex may start below the conflict by more than a batch (e.g. at commitIndex + 1, or heartbeats without entries)",
    ],
    ["student-vote-not-persisted", "not persisted", "3C", "a vote is not persisted when it is the only change (same term)", "      this.votedFor = args.candidateId;\n      this.persist();", "      this.votedFor = args.candidateId;"],
    ["student-term-from-append-not-persisted", "not persisted", "3C", "a term learnt from AppendEntries is not persisted", "    if (args.term > this.currentTerm) this.becomeFollower(args.term);\n    this.state = \"follower\";\n    this.resetTimer();\n    if (args.prevLogIndex", "    if (args.term > this.currentTerm) {\n      this.currentTerm = args.term;\n      this.votedFor = -1;\n    }\n    this.state = \"follower\";\n    this.resetTimer();\n    if (args.prevLogIndex"],
    ["student-vote-timer-not-reset", "timer", "3A", "the election timer is not reset when a vote is granted", "      this.persist();\n      this.resetTimer();\n      return { term: this.currentTerm, voteGranted: true };", "      this.persist();\n      return { term: this.currentTerm, voteGranted: true };"],
    ["student-figure8", "commit rule", "3C", "the leader commits an entry of an earlier term by counting replicas (Figure 8)", "      if (this.termOf(n) !== this.currentTerm) break;\n", ""],
    ["student-no-up-to-date-check", "election", "3B", "votes are granted without the up-to-date check (§5.4.1)", "    if ((this.votedFor === -1 || this.votedFor === args.candidateId) && upToDate) {", "    if (this.votedFor === -1 || this.votedFor === args.candidateId) {"],
    ["student-heartbeat-flood", "liveness", "3A", "heartbeats every 10 ms", "const HEARTBEAT = 100;", "const HEARTBEAT = 10;"],
    ["student-follower-timer-not-reset", "liveness", "3A", "a follower does not reset its election timer on AppendEntries", "    this.state = \"follower\";\n    this.resetTimer();\n    if (args.prevLogIndex < this.lastIncludedIndex) {", "    this.state = \"follower\";\n    if (args.prevLogIndex < this.lastIncludedIndex) {"],
  ]),
  {
    id: "ctrler-rebalance-in-no-fixed-order",
    part: "5A",
    title: "the controller hands out free shards in an order of its own choosing (Go: iterating over a map), not a fixed one",
    why: "each replica computes another configuration from the same log; after a change of leader the configuration changes under the clients (TestMulti/AgreeConfig)",
    file: CTRLER_REBALANCE,
    search: "  free.sort((a, b) => a - b);\n",
    replace: "  free.sort(() => Math.random() - 0.5);\n",
  },
  {
    id: "shard-served-before-its-data",
    part: "5B",
    title: "a group serves a shard it gains as soon as it applies the configuration, before the shard's data has arrived",
    why: "the new owner answers from an empty shard and writes into it (Intact Handoff: it arrived with other pairs than it left with)",
    file: SHARD_SM,
    search: '        sh.status = this.config.shards[s] === 0 ? "serving" : "pulling";',
    replace: '        sh.status = "serving";',
  },
  {
    id: "shard-dup-table-not-moved",
    part: "5B",
    title: "a shard moves without the old group's duplicate table",
    why: "a Clerk whose write the old group applied retries it at the new group, which applies it again (Intact Handoff: a duplicate-table entry lost)",
    file: SHARD_SM,
    search: "        for (const [c, r] of cmd.dup) if (!this.isDuplicate(c, r)) this.dup.set(c, r);\n",
    replace: "",
  },
  {
    id: "shard-frozen-but-writable",
    part: "5B",
    title: "a group keeps accepting writes to a shard it hands off (and to every shard it holds, whatever the configuration says)",
    why: "writes land in the old group after the new one copied the shard: lost (Single Owner: two groups accept writes in one configuration)",
    file: SHARD_SM,
    search: "    return this.config.shards[s] === this.gid && SERVED.has(this.shards[s]!.status);",
    replace: '    return SERVED.has(this.shards[s]!.status) || this.shards[s]!.status === "bepulled";',
  },
  {
    id: "shard-config-off-the-log",
    part: "5B",
    title: "the leader switches to a new configuration when it polls it, instead of putting it into the log",
    why: "replicas reconfigure at different points of their history, or not at all (Configuration Agreement)",
    file: SHARD_SERVER,
    search: '    this.rf.start({ op: "config", config: next } satisfies ShardCommand);',
    replace: "    (this.sm as unknown as { reconfigure(index: number, c: typeof next): void }).reconfigure(this.sm.lastApplied, next);",
  },
  {
    id: "shard-deleted-when-fetched",
    part: "5B",
    title: "the old group drops a shard as soon as it sends it, before the new owner has it",
    why: "if the reply is lost, the shard is gone for good: the new owner can never serve it",
    file: SHARD_SERVER,
    search: '    return { err: "OK", data: out.data, dup: out.dup };',
    replace: '    void this.submit({ op: "delete", num: args.num, shard: args.shard });\n    return { err: "OK", data: out.data, dup: out.dup };',
  },
];

/** Student-style mutants from rows of [id, kind, part, title, search, replace, why?, equivalent?] (their file is {@link STUDENT}). */
function studentStyle(rows: readonly (readonly [string, BugKind, LabPart, string, string, string, string?, string?])[]): Mutant[] {
  return rows.map(([id, kind, part, title, search, replace, why, equivalent]) => ({
    id,
    kind,
    part,
    title,
    why: why ?? "the same bug as the reference's mutant of this kind, in a Raft written in a student's style",
    file: STUDENT,
    search,
    replace,
    implementation: "student-style",
    ...(equivalent === undefined ? {} : { equivalent }),
  }));
}
