/**
 * A targeted Raft scenario (`ExploreRaftStaleAppendReply3B`): an AppendEntries reply of a leader's
 * earlier term, held in the network until that leader leads again, and delivered when taking it as
 * fresh would let the leader commit an entry that fewer than a majority store. Random faults almost
 * never line this up (it takes five steps in order), so the scenario scripts them, like the lab
 * tests' partitions; the nemesis adds message faults only, and the scenario holds and releases the
 * replies itself (`held-append-replies.ts`). Five peers; in episodes:
 *
 * 1. Leader A of term T starts a command, and every log levels with A's; a follower B drawn at random. From now on B's
 *    replies to A's AppendEntries of T are held. Partition {A, B} | {C, D, E}.
 * 2. A starts 2-8 commands; B stores them (and answers success, held): A's log and B's end at k.
 * 3. C, D, E elect a leader, which starts fewer commands than A did, and they store them: its log
 *    ends below k, with entries of a later term where A's have T's.
 * 4. A rejoins C, D, E (B stays cut off): their leader overwrites A's entries, and A's log ends
 *    below k too. Then whoever leads among them, if not A, is cut off alone (the one cut off before
 *    comes back), until A leads, in a term after T (its log is as up to date as theirs).
 * 5. A is cut off with one other peer only, and starts commands until its log reaches k again; the
 *    other peer stores them. Only two of five store them: a correct leader cannot commit them.
 * 6. The held replies are delivered. They answer requests of T, and a correct leader ignores them; a
 *    leader that takes them as fresh counts B as storing A's log through k (B holds T's entries
 *    there) and commits with A and one other: the monitors' commitment check fails ("committed
 *    ..., which only 2 of 5 servers store").
 * 7. Everything heals, and the cluster goes on.
 *
 * An episode whose step does not happen in time (no leader, a log that does not end where the
 * script needs it) is abandoned and healed; the next one starts over. Which peers, how many
 * commands and the pauses are drawn from the seed. With a Raft without `inspect()` (a student's),
 * the script cannot read logs and waits fixed times instead; a correct Raft passes either way.
 * After the episodes the liveness phase heals everything and requires a leader and prompt commits,
 * as the other Raft scenarios do; the tester's appliers check every applied command.
 */
import { dlog, now, sleep } from "../../runtime/index.js";
import { currentSimulation } from "../../sim/index.js";
import type { TestInfo } from "../../tester/test-info.js";
import { makeRaftTester, type RaftTester } from "../../raft/tester.js";
import { startNemesis } from "../lab-nemesis.js";
import { HeldAppendReplies } from "./held-append-replies.js";
import { checkAfterHealing } from "./raft-scenario.js";
import { beginLivenessPhase, beginSafetyPhase, scenarioRandom, type ScenarioOptions } from "./phases.js";

/** What the scenario puts to the test, in a phrase (its first line). */
const AIM = "an AppendEntries reply of a leader's earlier term, held until it leads again, must not count";

/** Commands the scenario starts: unlike the liveness phase's and any client's. */
const COMMAND_BASE = 500_000_000;

/** Five peers: with three, the leader and the follower holding its entries would be a majority. */
const SERVERS = 5;

/** How long past the safety phase's end the episode in progress may run on. */
const EPISODE_GRACE_MS = 4000;

/** Runs the scenario; see the module comment. */
export async function staleAppendReplyScenario(t: TestInfo, options: ScenarioOptions = {}): Promise<void> {
  const sim = currentSimulation();
  if (sim === undefined) throw new Error("the stale AppendEntries reply scenario must run inside a simulation");
  const r = scenarioRandom("scenario stale append reply");
  const safetyMs = r.between(4000, 10000);
  const ts = makeRaftTester(t, { servers: SERVERS });
  // Message faults only: the partitions are the script's.
  const nemesis = startNemesis({ t, net: ts.net, profile: "no-crash", replay: options.replay, onFault: options.onFault, onPlan: options.onPlan });
  const held = new HeldAppendReplies(nemesis);
  held.install(ts.net);
  ts.begin(`Explore (3B, ${AIM}): ${SERVERS} peers, scripted episodes for ${(safetyMs / 1000).toFixed(1)} s, then healed`);
  beginSafetyPhase("episodes: a leader's follower's replies held across its re-election", safetyMs);
  const script = new Script(ts, held, r);
  const end = now() + safetyMs;
  let episodes = 0;
  let released = 0;
  while (now() < end) {
    // An episode started in the safety phase may finish after it (a re-election takes a few rounds).
    const outcome = await script.episode(episodes, end + EPISODE_GRACE_MS);
    if (outcome === "released") released++;
    episodes++;
    script.heal();
    await sleep(r.between(100, 500));
  }
  dlog("tester", "TEST", `${episodes} episodes, ${released} of them delivered held replies to a re-elected leader`);
  beginLivenessPhase(nemesis);
  await checkAfterHealing(ts, "commands", r, options);
  ts.end();
}

/** How an episode ended: the held replies delivered to the re-elected leader, or abandoned at a step. */
type Outcome = "released" | "abandoned";

/** The steps of an episode, on one cluster. */
class Script {
  private commands = 0;

  constructor(
    private readonly ts: RaftTester,
    private readonly held: HeldAppendReplies,
    private readonly r: ReturnType<typeof scenarioRandom>,
  ) {}

  /** Runs one episode (see the module comment); stops at `end`. */
  async episode(e: number, end: number): Promise<Outcome> {
    const say = (what: string): void => dlog("tester", "TEST", `episode ${e}: ${what}`);
    const abandon = (why: string): Outcome => {
      say(`abandoned: ${why}`);
      return "abandoned";
    };
    // 1. A leader, every log level with its log; its follower B, whose replies are held.
    const first = await this.waitFor(() => this.leaderAmong(this.all()), 3000, end);
    if (first === undefined) return abandon("no leader");
    const a = first.server;
    const term = first.term;
    // An entry of A's term: a follower that kept entries of an earlier episode past A's log takes A's.
    this.startOn(a, 1);
    if (!(await this.until(() => this.all().every((i) => this.lastIndex(i) === this.lastIndex(a)), 1000, end))) return abandon("the logs did not level");
    await sleep(150); // a heartbeat round: the leader has heard every follower's success
    if (!this.leads(a, term)) return abandon(`S${a} no longer leads T${term}`);
    const others = this.all().filter((i) => i !== a);
    const b = others[this.r.int(others.length)]!;
    const rest = others.filter((i) => i !== b);
    this.held.hold({ leader: a, follower: b, term });
    this.partition([[a, b], rest]);
    // 2. A appends entries; B stores them.
    const n = this.r.between(2, 8);
    this.startOn(a, n);
    const k = this.lastIndex(a);
    say(`S${a} leads T${term} cut off with S${b}, whose replies are held; S${a} started ${n} commands (its log ends at ${k ?? "?"})`);
    if (!(await this.until(() => this.lastIndex(b) === k, 1000, end))) return abandon(`S${b} did not store S${a}'s entries`);
    // 3. The others elect a leader, which appends fewer entries than A did.
    const second = await this.waitFor(() => this.leaderAmong(rest), 3000, end);
    if (second === undefined) return abandon(`no leader among S${rest.join(" S")}`);
    const c = second.server;
    this.startOn(c, this.r.between(1, n - 1));
    const cLast = this.lastIndex(c);
    if (!(await this.until(() => rest.every((i) => this.lastIndex(i) === cLast), 1000, end))) return abandon(`S${c}'s entries were not stored`);
    if (k !== undefined && cLast !== undefined && cLast >= k) return abandon(`S${c}'s log ends at ${cLast}, not below ${k}`);
    // 4. A rejoins them (B stays cut off) and is overwritten; then A must lead again.
    this.partition([[a, ...rest], [b]]);
    if (!(await this.until(() => this.lastIndex(a) === cLast && this.termOf(a) > term, 1500, end))) return abandon(`S${a}'s log was not overwritten`);
    say(`S${a} rejoined S${rest.join(" S")} and took S${c}'s log (ends at ${cLast ?? "?"}); S${b} stays cut off`);
    let cut: number | undefined;
    let leader: { server: number; term: number } | undefined;
    let after = term;
    for (let round = 0; round < 8; round++) {
      const side = [a, ...rest].filter((i) => i !== cut);
      // A leader of a later term than the last one seen (the one cut off may still think it leads its own).
      leader = await this.waitFor(() => this.leaderAmong(side, after), 3000, end);
      if (leader === undefined || leader.server === a) break;
      cut = leader.server;
      after = leader.term;
      this.partition([[a, ...rest].filter((i) => i !== cut), [cut], [b]]);
      leader = undefined;
    }
    if (leader === undefined || leader.server !== a) return abandon(`S${a} did not lead again`);
    const again = leader.term;
    // 5. A with one other peer only; its log grows back to k.
    const side = [a, ...rest].filter((i) => i !== cut && i !== a);
    const d = side[this.r.int(side.length)]!;
    this.partition([[a, d], ...this.all().filter((i) => i !== a && i !== d).map((i) => [i])]);
    const aLast = this.lastIndex(a);
    const grow = k !== undefined && aLast !== undefined ? Math.max(1, k - aLast) : this.r.between(1, n);
    this.startOn(a, grow);
    if (!this.leads(a, again)) return abandon(`S${a} no longer leads T${again}`);
    if (!(await this.until(() => this.lastIndex(d) === this.lastIndex(a), 1000, end))) return abandon(`S${d} did not store S${a}'s entries`);
    // 6. The held replies arrive now.
    const count = this.held.release();
    say(`S${a} leads T${again} with S${d} alone, its log ends at ${this.lastIndex(a) ?? "?"}; ${count} held replies of S${b} to T${term} delivered`);
    await sleep(this.r.between(200, 600));
    return "released";
  }

  /** Heals the network and delivers whatever is still held. */
  heal(): void {
    this.held.release();
    for (let i = 0; i < this.ts.n; i++) this.ts.connect(i);
  }

  private all(): number[] {
    return Array.from({ length: this.ts.n }, (_, i) => i);
  }

  /** Splits the peers into `groups`: each reaches its own group only. */
  private partition(groups: readonly (readonly number[])[]): void {
    for (let i = 0; i < this.ts.n; i++) this.ts.connect(i);
    for (const g of groups) {
      const away = this.all().filter((j) => !g.includes(j));
      for (const i of g) if (away.length > 0) this.ts.group.setLinks(i, away, false);
    }
  }

  private startOn(server: number, count: number): void {
    for (let k = 0; k < count; k++) this.ts.rafts[server]?.start(COMMAND_BASE + ++this.commands);
  }

  private leads(server: number, term: number): boolean {
    const s = this.ts.rafts[server]?.getState();
    return s !== undefined && s.isLeader && s.term === term;
  }

  private termOf(server: number): number {
    return this.ts.rafts[server]?.getState().term ?? 0;
  }

  /** The peer among `servers` that leads the highest term, later than `after`, if any. */
  private leaderAmong(servers: readonly number[], after = 0): { server: number; term: number } | undefined {
    let best: { server: number; term: number } | undefined;
    for (const server of servers) {
      const s = this.ts.rafts[server]?.getState();
      if (s !== undefined && s.isLeader && s.term > after && (best === undefined || s.term > best.term)) best = { server, term: s.term };
    }
    return best;
  }

  /** A peer's last log index, if its Raft tells (`inspect()`), else undefined. */
  private lastIndex(server: number): number | undefined {
    return this.ts.rafts[server]?.inspect?.().lastIndex;
  }

  /**
   * Waits until `ready()` holds (polling every 10 ms) for at most `ms` and not past `end`; says
   * whether it held. Without `inspect()` the logs cannot be read: it waits `ms` and goes on.
   */
  private async until(ready: () => boolean, ms: number, end: number): Promise<boolean> {
    const deadline = Math.min(now() + ms, end);
    const blind = this.ts.rafts.some((rf) => rf !== undefined && rf.inspect === undefined);
    while (!ready()) {
      if (now() >= deadline) return blind && now() < end;
      await sleep(10);
    }
    return true;
  }

  /** Waits for `find()` to return something, for at most `ms` and not past `end`. */
  private async waitFor<T>(find: () => T | undefined, ms: number, end: number): Promise<T | undefined> {
    const deadline = Math.min(now() + ms, end);
    for (;;) {
      const found = find();
      if (found !== undefined || now() >= deadline) return found;
      await sleep(10);
    }
  }
}
