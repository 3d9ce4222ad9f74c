/**
 * Nemesis strategies: sequences of faults that set up a known dangerous situation, started at
 * random moments on random servers (a strategy watches what the cluster does through the nemesis's
 * decision points and answers with ordinary faults, which the schedule records like any other).
 * Random faults rarely line up into these situations; each strategy is one of the known traps:
 *
 * - `split-vote`: a candidate's vote requests reach just a majority; the others are lost, so those
 *   servers stay in the previous term. Then either (`voters`) each voter crashes right after
 *   granting its vote and restarts at once, and the new leader is cut off as soon as it is elected
 *   (its messages in flight lost): the servers that never heard of the term run for it, and a voter
 *   that did not persist its vote votes again; or (`candidate`) the new leader crashes as soon as it
 *   is elected, its messages in flight lost, and restarts at once: if it did not persist its term
 *   and vote, it votes for one of those servers in the term it led.
 * - `figure-8`: the paper's Figure 8. A leader accepts a command and crashes at once (the entry is
 *   only in its log); the next leader does the same at the same index, and stays down (in a cluster
 *   of 5, so does a third server), while the first comes back: only it can win, and it sends its old
 *   entry to the others. A few ms after its election (or as soon as it accepts a command) it
 *   crashes too, before any entry of its new term is replicated, and the second comes back: only
 *   the second can win now. (While an episode is under way the nemesis puts in no random faults.) A leader that
 *   committed the old entry by counting replicas has lost a committed entry.
 */
import type { RandomSource } from "../runtime/index.js";
import type { StrategyName } from "./fault-plan.js";
import type { MessageRef, NewFault } from "./schedule.js";

export type { StrategyName } from "./fault-plan.js";

/** A strategy in progress: its state between decision points. */
type Episode =
  | { readonly kind: "split-vote"; readonly variant: "voters" | "candidate"; readonly candidate: number; readonly at: number; readonly allowed: Set<number> }
  | { readonly kind: "figure-8"; step: 1 | 2 | 3; readonly first: number; second: number; away: number | undefined; readonly at: number };

/** How long an episode may wait for its next step before the strategy gives up on it (virtual ms). */
const EPISODE_MS = 5000;
/** After an episode, the nemesis keeps quiet this long (ms) so that its consequences play out undisturbed. */
const AFTERMATH_MS = 1500;

/** Runs one strategy; the nemesis asks it at each decision point (when drawing faults, not in replay). */
export class Strategy {
  private episode: Episode | undefined;
  /** Until when (virtual ms) the last episode's aftermath lasts. */
  private quietUntil = -1;

  constructor(
    readonly name: StrategyName,
    private readonly rand: RandomSource,
    /** Number of servers. */
    private readonly n: number,
    /** How likely an episode starts where one can (per mille). */
    private readonly startPerMille: number,
  ) {}

  private begin(): boolean {
    return this.rand.int(1000) < this.startPerMille;
  }

  /**
   * Whether an episode is under way at `now`: the nemesis then puts in no random faults, which
   * would spoil the situation the episode is setting up.
   */
  busy(now: number): boolean {
    return !this.idle(now) || now < this.quietUntil;
  }

  private idle(now: number): boolean {
    if (this.episode !== undefined && now - this.episode.at > EPISODE_MS) this.episode = undefined;
    return this.episode === undefined;
  }

  /** Whether a new episode may start now (none under way, the last one's aftermath over). */
  private canBegin(now: number): boolean {
    return this.idle(now) && now >= this.quietUntil;
  }

  /** The episode is over at `now`: its aftermath begins. */
  private end(now: number): void {
    this.episode = undefined;
    this.quietUntil = now + AFTERMATH_MS;
  }

  /** A request is being sent from `from` to `to`. */
  onRequest(ref: MessageRef, from: number | undefined, to: number | undefined): NewFault[] {
    if (this.name !== "split-vote" || ref.method !== "Raft.RequestVote" || from === undefined || to === undefined) return [];
    if (this.idle(ref.at)) {
      if (!this.canBegin(ref.at) || !this.begin()) return [];
      this.episode = { kind: "split-vote", variant: this.rand.chance(0.5) ? "voters" : "candidate", candidate: from, at: ref.at, allowed: new Set() };
    }
    const e = this.episode;
    if (e?.kind !== "split-vote" || e.candidate !== from || e.at !== ref.at) return [];
    // Just enough votes for a majority get through; the rest are lost.
    if (e.allowed.size >= Math.floor(this.n / 2)) return [{ ...ref, kind: "drop" }];
    e.allowed.add(to);
    return [];
  }

  /** `server` handled a request (its reply is on its way). */
  onHandled(ref: MessageRef, server: number): NewFault[] {
    const e = this.episode;
    if (e?.kind !== "split-vote" || e.variant !== "voters" || ref.method !== "Raft.RequestVote" || ref.from !== `S${e.candidate}` || !e.allowed.has(server)) return [];
    e.allowed.delete(server); // once per voter
    return [{ ...ref, kind: "crash", server, downMs: 0 }];
  }

  /** `server` accepted a command as leader. */
  onStart(ref: MessageRef, server: number): NewFault[] {
    if (this.name !== "figure-8") return [];
    if (this.idle(ref.at)) {
      if (!this.canBegin(ref.at) || !this.begin()) return [];
      this.episode = { kind: "figure-8", step: 1, first: server, second: -1, away: undefined, at: ref.at };
      return [{ ...ref, kind: "crash", server, downMs: -1 }];
    }
    const e = this.episode;
    if (e?.kind === "figure-8" && e.step === 3 && server === e.first) {
      // Re-elected, it accepts a command of its new term: stop it before it sends that anywhere.
      this.end(ref.at);
      return [{ ...ref, kind: "crash", server, downMs: -1, restart: e.second }];
    }
    if (e?.kind !== "figure-8" || e.step !== 1 || server === e.first) return [];
    e.step = 2;
    e.second = server;
    const out: NewFault[] = [{ ...ref, kind: "crash", server, downMs: -1, restart: e.first }];
    if (this.n >= 5) {
      // One more away, so that the first one, back, is the only one that can win.
      const others = [...Array(this.n).keys()].filter((i) => i !== e.first && i !== server);
      e.away = others[this.rand.int(others.length)]!;
      out.push({ ...ref, kind: "crash", server: e.away, downMs: -1 });
    }
    return out;
  }

  /** `leader` was seen leading a new term. */
  onNewLeader(ref: MessageRef, leader: number): NewFault[] {
    const e = this.episode;
    if (e === undefined) return [];
    if (e.kind === "split-vote" && leader === e.candidate) {
      this.end(ref.at);
      return e.variant === "voters"
        ? [{ ...ref, kind: "isolate", server: leader, ms: this.rand.between(1000, 3000) }]
        : [{ ...ref, kind: "crash", server: leader, downMs: 0, lose: true }];
    }
    if (e.kind === "figure-8" && e.step === 2 && leader === e.first) {
      // Long enough for its first heartbeats to be answered (and its old entry to reach the others);
      // if it accepts a command before then, it is stopped right there (see onStart).
      e.step = 3;
      const afterMs = this.rand.between(10, 40);
      this.quietUntil = ref.at + afterMs + AFTERMATH_MS;
      return [{ ...ref, kind: "crash", server: leader, downMs: -1, afterMs, restart: e.second }];
    }
    return [];
  }
}
