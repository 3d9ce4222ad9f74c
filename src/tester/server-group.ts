/**
 * The machinery both testers share (Go's two `config.go`s, and 6.5840 2025's `tester1/group.go`):
 * a group of servers on a simulated network, each with its client ends to the others, its links,
 * its persister, and crash and restart.
 *
 * ## Crash and restart, and the persisters
 *
 * A "crash" here is what 6.5840's testers do: the server's links are cut, it is removed from the
 * network, its persister is superseded, and it is killed. The killed instance's tasks may still run
 * for a while (killing is cooperative), so three rules keep it from touching the future:
 *
 * 1. **Removed from the network first.** A call in progress to it gets no reply (labrpc re-checks
 *    before replying), so it cannot answer positively a request whose effect it saved in a
 *    persister that nobody reads again.
 * 2. **Its persister is superseded** ({@link ServerGroup.supersedePersister}): the group keeps a
 *    copy, and the old instance keeps writing into the original, which is orphaned. Go's `crash1`
 *    copies twice (a `Copy()`, then a fresh `Persister` filled from the copy's reads); the second
 *    copy reads from the first, which no one else holds, so one copy is the same.
 * 3. **A restart gets fresh client ends** (new random names) and its own copy of the saved state,
 *    so the old instance's ends go nowhere and its late writes cannot reach the new instance.
 *
 * Each incarnation of a server runs as a simulation node of its own (`S1`, `S1#2`, ...), so its
 * tasks and random draws are its own.
 *
 * ## Seams
 *
 * - {@link ServerGroup.observe}: an observer of the group's events (start, crash, links).
 * - The network's fault policy (`net.setFaultPolicy`, see `src/labrpc/faults.ts`), which decides
 *   each message's delay and loss and may crash a server right after it replied, through
 *   {@link ServerGroup.shutdown}.
 */
import { Network, Server, type ClientEnd, type ServerName, type Service } from "../labrpc/index.js";
import { random } from "../runtime/index.js";
import { currentSimulation } from "../sim/index.js";
import { MemoryPersister, Persister } from "./persister.js";
import type { ClusterEvent, ClusterObserver } from "./cluster-events.js";

/** What a group runs on each server: anything that can be killed. */
export interface Member {
  kill(): void;
}

/** How to start one server; see {@link ServerGroup.start}. */
export interface Launch<S extends Member> {
  /** Runs before the server is built, once its persister is ready (e.g. to read its snapshot). */
  readonly beforeLaunch?: (persister: Persister) => void;
  /** Builds the server as code of its own node: the member and the RPC services it serves. */
  readonly launch: (ends: readonly ClientEnd[], persister: Persister) => { readonly member: S; readonly services: readonly Service[] };
  /** Runs once the member is built, before it is added to the network (e.g. to read its applyCh). */
  readonly afterLaunch?: (member: S) => void;
}

/**
 * How a group's servers are called: on the network, and as simulation nodes (whose names seed their
 * random streams). Default: server `i` is `i` on the network and node `S<i>`, as in Labs 3-4; Lab 5
 * puts several groups on one network, so its servers need names unique across groups
 * (`server-<gid>-<i>`).
 */
export interface GroupNaming {
  /** Server `i`'s name on the network. */
  readonly server: (i: number) => ServerName;
  /** Server `i`'s simulation node name (each incarnation gets `#2`, `#3`, ... added by the simulation). */
  readonly node: (i: number) => string;
}

/** Labs 3-4: servers called 0..n-1, nodes S0..S(n-1). */
export const INDEX_NAMING: GroupNaming = { server: (i) => i, node: (i) => `S${i}` };

/**
 * `n` servers on `net`, called as `naming` says (default 0..n-1). Server `i` reaches server `j`
 * through its end `endName(i, j)`; every end has a fresh random name, so ends of a crashed instance
 * stay dead.
 */
export class ServerGroup<S extends Member> {
  private readonly members: (S | undefined)[];
  private readonly saved: (Persister | undefined)[];
  /** `endnames[i][j]`: the name of server i's end to server j. */
  private readonly endnames: (string[] | undefined)[];
  private readonly observers: ClusterObserver[] = [];
  /** How each server was last started, for {@link relaunch}. */
  private readonly launches: (Launch<S> | undefined)[] = [];

  constructor(
    /** The simulated network. */
    readonly net: Network,
    /** Number of servers. */
    readonly n: number,
    /** How the servers are called (see {@link GroupNaming}). */
    readonly naming: GroupNaming = INDEX_NAMING,
  ) {
    this.members = new Array<S | undefined>(n).fill(undefined);
    this.saved = new Array<Persister | undefined>(n).fill(undefined);
    this.endnames = new Array<string[] | undefined>(n).fill(undefined);
  }

  /** `[0, 1, …, n-1]`. */
  all(): number[] {
    return Array.from({ length: this.n }, (_, i) => i);
  }

  /** Each server's running member, or undefined while it is down. */
  get running(): readonly (S | undefined)[] {
    return this.members;
  }

  /** The persister a restart of server `i` resumes from (undefined if it never ran). */
  persister(i: number): Persister | undefined {
    return this.saved[i];
  }

  /** Adds an observer of the group's events. */
  observe(observer: ClusterObserver): void {
    this.observers.push(observer);
  }

  /**
   * Starts (or restarts) server `i`: fresh client ends to every server, a copy of its saved state
   * (or an empty persister), then `launch` as code of a new node, then it joins the network. Its
   * links are left as they are (a restarted server is cut off until connected).
   */
  start(i: number, how: Launch<S>): S {
    this.launches[i] = how;
    // A fresh set of outgoing end names, so the old instance's ends cannot send.
    const names = Array.from({ length: this.n }, () => random.string(20));
    this.endnames[i] = names;
    const ends = names.map((name, j) => {
      const end = this.net.makeEnd(name);
      this.net.connect(name, this.naming.server(j));
      return end;
    });
    const saved = this.saved[i];
    const restart = saved !== undefined;
    // A copy, so the old instance (if any) cannot overwrite the new one's state.
    const persister = saved !== undefined ? saved.copy() : new Persister();
    this.saved[i] = persister;
    if (persister instanceof MemoryPersister) persister.owner = this.naming.server(i);
    how.beforeLaunch?.(persister);

    const build = (): { member: S; server: Server } => {
      const { member, services } = how.launch(ends, persister);
      // Created inside the node, so the handlers run as the node's code (see labrpc's Server).
      const server = new Server();
      for (const service of services) server.addService(service);
      return { member, server };
    };
    const sim = currentSimulation();
    const { member, server } = sim === undefined ? build() : sim.runIn(sim.node(this.naming.node(i)), build);
    this.members[i] = member;
    how.afterLaunch?.(member);
    this.net.addServer(this.naming.server(i), server);
    this.emit({ kind: "start", i, restart, member });
    return member;
  }

  /**
   * Starts server `i` again the way it was last started (a tool's restart, e.g. the step
   * debugger's); undefined if it was never started. Its links are left as they are.
   */
  relaunch(i: number): S | undefined {
    const how = this.launches[i];
    return how === undefined ? undefined : this.start(i, how);
  }

  /**
   * Shuts server `i` down (a crash): cuts its links, removes it from the network, supersedes its
   * persister and kills it, in that order (see the module comment). Returns whether it was running.
   */
  shutdown(i: number): boolean {
    this.setLinks(i, this.all(), false, { quiet: true });
    this.net.deleteServer(this.naming.server(i));
    this.supersedePersister(i);
    const member = this.members[i];
    if (member === undefined) return false;
    member.kill();
    this.members[i] = undefined;
    this.emit({ kind: "crash", i });
    return true;
  }

  /**
   * Gives server `i`'s saved state a persister of its own and returns it: the running (or dying)
   * instance keeps writing into the old one, which nobody reads again.
   */
  supersedePersister(i: number): Persister | undefined {
    const old = this.saved[i];
    if (old !== undefined) this.saved[i] = old.copy();
    return this.saved[i];
  }

  /** Enables or disables the links between server `i` and each of `peers`, both ways. */
  setLinks(i: number, peers: readonly number[], enabled: boolean, options: { quiet?: boolean } = {}): void {
    for (const j of peers) {
      const out = this.endnames[i]?.[j];
      if (out !== undefined) this.net.enable(out, enabled);
      const inc = this.endnames[j]?.[i];
      if (inc !== undefined) this.net.enable(inc, enabled);
    }
    if (options.quiet !== true) this.emit({ kind: "links", i, peers: [...peers], enabled });
  }

  /** Largest Raft state over all servers' persisters (bytes; Go's `LogSize`). */
  logSize(): number {
    let size = 0;
    for (const p of this.saved) size = Math.max(size, p?.raftStateSize() ?? 0);
    return size;
  }

  /** Largest snapshot over all servers' persisters (bytes; Go's `SnapshotSize`). */
  snapshotSize(): number {
    let size = 0;
    for (const p of this.saved) size = Math.max(size, p?.snapshotSize() ?? 0);
    return size;
  }

  private emit(event: ClusterEvent): void {
    for (const o of this.observers) o(event);
  }
}
