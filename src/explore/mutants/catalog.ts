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
   * In the fast subset that `npm test` plants (src/explore/mutants/mutants.test.ts): the check that
   * must report it there (the start of its failure's first line, e.g. "Log Matching violated"),
   * within `seeds` seeds of its part's explore scenario.
   */
  readonly fast?: { readonly check: string; readonly seeds: number };
}

const RAFT = "src/raft/raft.ts";
const RULES = "src/raft/rules.ts";
const KV_SERVER = "src/kvraft/server.ts";
const KV_SM = "src/kvraft/state-machine.ts";
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
    part: "3B",
    title: "AppendEntries of an older term is not rejected",
    why: "a deposed leader's entries replace a newer leader's committed ones (State Machine Safety, Log Matching)",
    file: RAFT,
    search: "    if (args.term < this.currentTerm) return staleTermReply(this.currentTerm);\n    this.followLeader(args.term);\n    const result",
    replace: "    this.followLeader(args.term);\n    const result",
  },
  {
    id: "commit-beyond-request",
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
    part: "3C",
    title: "a candidate does not persist its new term and its vote for itself before asking for votes",
    why: "after a crash it is back in its old term, can vote for another candidate of the term it ran in, and the votes it gathered before the crash still count for it (Election Safety)",
    file: RAFT,
    search: "    this.persist(); // before asking for votes: we must not vote twice in this term after a crash\n",
    replace: "",
  },
  {
    id: "append-not-persisted",
    part: "3C",
    title: "a follower does not persist the entries it accepted before replying success",
    why: "the leader counts them as replicated and commits; a crash of the follower loses them (Leader Completeness)",
    file: RAFT,
    search: "    if (result.changed) {\n      this.persist();",
    replace: "    if (result.changed) {",
  },
  {
    id: "figure8-commit-by-counting",
    part: "3C",
    title: "a leader commits an entry of an earlier term once a majority stores it (Figure 8)",
    why: "a server with a later-term entry at that index can still be elected and overwrite it (Leader Completeness); needs a specific sequence of crashes and elections",
    file: RULES,
    search: "  if (majorityMatch > commitIndex && log.termAt(majorityMatch) === currentTerm) return majorityMatch;",
    replace: "  if (majorityMatch > commitIndex) return majorityMatch;",
  },
  {
    id: "snapshot-not-persisted",
    part: "3D",
    title: "persist() saves the Raft state but not the snapshot",
    why: "a restarted server has compacted its log but has no snapshot to restore the service from",
    file: RAFT,
    search: "    this.persister.save(state, this.snapshotData);",
    replace: "    this.persister.save(state, null);",
  },
  {
    id: "installed-snapshot-not-committed",
    part: "3D",
    title: "a follower that installs a leader's snapshot does not advance its commitIndex to it",
    why: "the applier hands the snapshot to the service although commitIndex is below it",
    file: RAFT,
    search: "    // The applier sees snapshotIndex > lastApplied and hands the snapshot to the service.\n    this.advanceCommitTo(args.lastIncludedIndex);",
    replace: "    // The applier sees snapshotIndex > lastApplied and hands the snapshot to the service.\n    this.applyWakeup.trySend(null);",
  },
  {
    id: "kv-duplicate-reapplied",
    part: "4A",
    title: "the duplicate table treats only older request ids as duplicates, so a retried write is applied again",
    why: "a Clerk that retries after a lost reply gets its append applied twice",
    file: KV_SM,
    search: "    if (last !== undefined && cmd.requestId <= last.requestId) {",
    replace: "    if (last !== undefined && cmd.requestId < last.requestId) {",
  },
  {
    id: "kv-local-reads",
    part: "4A",
    title: "a leader answers Get from its local state without going through the log",
    why: "a deposed leader that does not know it yet returns stale values (not linearizable)",
    file: KV_SERVER,
    search: '  private async get(args: GetArgs): Promise<GetReply> {\n    const out = await this.submit({ op: "get", key: args.key, clientId: args.clientId, requestId: args.requestId });',
    replace:
      '  private async get(args: GetArgs): Promise<GetReply> {\n    if (this.rf.getState().isLeader && this.sm.lastApplied > 0) return { err: "OK", value: this.sm.get(args.key) ?? "" };\n    const out = await this.submit({ op: "get", key: args.key, clientId: args.clientId, requestId: args.requestId });',
    fast: { check: "get wrong value", seeds: 10 },
  },
  {
    id: "kv-answer-by-index",
    part: "4A",
    title: "a handler answers success when anything is applied at the index its command got, without checking that it is its command",
    why: "after a change of leader another command takes that index, and the Clerk believes a write happened that never did",
    file: KV_SERVER,
    search: "        const ours = w.clientId === command.clientId && w.requestId === command.requestId;",
    replace: "        const ours = true;",
  },
  {
    id: "kv-duplicate-table-not-in-snapshot",
    part: "4B",
    title: "the snapshot holds the key/value map but not the duplicate table",
    why: "a server restored from a snapshot applies a retried write again",
    file: KV_SM,
    search: "    const dup: [number, number, number][] = [...this.lastWrite].map(([c, w]) => [c, w.requestId, w.ok ? 1 : 0]);",
    replace: "    const dup: [number, number, number][] = [];",
  },
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
