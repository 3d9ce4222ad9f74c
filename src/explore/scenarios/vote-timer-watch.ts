/**
 * A timer rule of Figure 2, checked at every step of an explore scenario: a server that grants its
 * vote resets its election timer ("If election timeout elapses without receiving AppendEntries RPC
 * from current leader or granting vote to candidate: convert to candidate"). One that does not may
 * time out right after voting, before the candidate it voted for could win and tell it, and start a
 * competing election: elections drag on, and new leaders are deposed. Such a bug breaks no safety
 * property, and on a healed network it shows only when a timer happens to run out within the few
 * milliseconds of an election; under the nemesis (lost votes, split votes) it shows often.
 *
 * The check: a server that granted its vote must not run for election within
 * {@link VOTE_QUIET_MS} (the lab's heartbeat interval: any election timeout must be longer, or
 * followers would depose healthy leaders). It reads peers through `inspect()` only (skipped for a
 * Raft without it), never changes anything, and takes no time.
 */
import type { RaftPeer } from "../../raft/api.js";
import { dlog } from "../../runtime/index.js";
import { currentSimulation } from "../../sim/index.js";
import { fatal } from "../../tester/failure.js";
import type { Member, ServerGroup } from "../../tester/server-group.js";

/** A voter runs for election no sooner than this after granting a vote (virtual ms). */
export const VOTE_QUIET_MS = 100;

/** What is known of one running incarnation. */
interface Seen {
  readonly peer: RaftPeer;
  term: number;
  votedFor: number | null;
  role: string;
  /** The last vote it granted to another server: when, to whom, in which term. */
  granted: { readonly at: number; readonly to: number; readonly term: number } | undefined;
}

/** Watches `group`'s Raft peers (through `raftOf`) for the rule above; fails the run when it breaks. */
export function watchVoteTimers<S extends Member>(group: ServerGroup<S>, raftOf: (member: S) => RaftPeer): void {
  const sim = currentSimulation();
  if (sim === undefined) return;
  const seen: (Seen | undefined)[] = [];
  const watch = (i: number, peer: RaftPeer): void => {
    const v = peer.inspect?.();
    seen[i] = v === undefined ? undefined : { peer, term: v.term, votedFor: v.votedFor, role: v.role, granted: undefined };
  };
  group.running.forEach((member, i) => {
    if (member !== undefined) watch(i, raftOf(member));
  });
  group.observe((event) => {
    if (event.kind === "start") watch(event.i, raftOf(event.member as S));
    else if (event.kind === "crash") seen[event.i] = undefined;
  });
  const stop = sim.onStep(() => {
    const t = sim.now();
    seen.forEach((s, i) => {
      if (s === undefined || s.peer.killed()) return;
      const v = s.peer.inspect!();
      if (v.votedFor !== null && v.votedFor !== i && (v.votedFor !== s.votedFor || v.term !== s.term)) s.granted = { at: t, to: v.votedFor, term: v.term };
      const ran = v.role === "candidate" && (s.role !== "candidate" || v.term !== s.term);
      if (ran && s.granted !== undefined && t - s.granted.at < VOTE_QUIET_MS) {
        const g = s.granted;
        stop();
        dlog("tester", "ERRO", `S${i} ran for T${v.term} ${Math.round(t - g.at)} ms after granting its vote to S${g.to} for T${g.term}`);
        fatal(
          `liveness: election timer not reset on a vote: S${i} granted its vote to S${g.to} for T${g.term} and ran for T${v.term} ${Math.round(t - g.at)} ms later ` +
            `(a voter waits a whole election timeout, more than the ${VOTE_QUIET_MS} ms between heartbeats, before it runs)`,
        );
      }
      s.term = v.term;
      s.votedFor = v.votedFor;
      s.role = v.role;
    });
  });
}
