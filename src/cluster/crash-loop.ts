/**
 * The kill -9 loop: a 3-node cluster of real processes on loopback, HTTP clients doing puts,
 * appends and linearizable gets through every node (gets take the ReadIndex path of a node that
 * has it, as the leader or forwarded by a follower), and a sequence of kill points, each a
 * `kill -9` of the leader, of a follower, of the leader right after a client got an acknowledged
 * write, of the leader and a follower right after one, or of every node right after one; the
 * killed processes restart after a random pause. The whole HTTP history (invocation and response
 * in real time) is checked by Porcupine: no acknowledged write may be lost, no read may be stale.
 *
 * Keys rotate: the clients use the keys of the current kill point and of the one before, so each
 * key lives across two kill points. When a key retires, the loop reads it once more (a closing
 * read, in the history too) and, once no operation on it is in flight, checks the key's history;
 * so the check's work stays small, and a failure is known at the kill point that caused it.
 * Everything is bounded: each operation by a deadline, each wait, and the whole loop (`maxMs`).
 * Every process started is killed by its pid on every way out (the caller's abort included).
 */
import { checkOperationsVerbose, visualizeToFile, type Operation } from "porcupine";
import { kvModel, type KvInput, type KvOutput } from "../models/kv.js";
import { KvHttpClient, KvUnavailableError } from "./http-client.js";
import { TestCluster, sleep } from "./test-cluster.js";

/** The kinds of kill point. */
export type KillKind = "leader" | "follower" | "leader after ack" | "leader and follower after ack" | "every node after ack";

/** The kinds, with how often each is drawn (out of 100). */
const KILL_WEIGHTS: readonly (readonly [KillKind, number])[] = [
  ["leader", 25],
  ["follower", 25],
  ["leader after ack", 25],
  ["leader and follower after ack", 15],
  ["every node after ack", 10],
];

/** Options of {@link runCrashLoop}. */
export interface CrashLoopOptions {
  /** Kill points to run. */
  readonly kills: number;
  /** Seed of the loop's own choices (kill kinds, pauses, operations); the processes' timing is real. */
  readonly seed: number;
  /** Concurrent HTTP clients (default 4). */
  readonly clients?: number;
  /** Stop at the first kill point whose keys fail the check (default true). */
  readonly stopAtFailure?: boolean;
  /** Give up (an error) if the loop has not ended by then, in ms (default 30 min). */
  readonly maxMs?: number;
  /** A module each node imports first (see `TestClusterOptions.preload`): a planted bug. */
  readonly preload?: string;
  /** Where to write the visualization of a failing key's history (default: no file). */
  readonly visualizationFile?: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Ends the loop early (its processes are killed); the run then rejects. */
  readonly signal?: AbortSignal;
}

/** What {@link runCrashLoop} found. */
export interface CrashLoopReport {
  /** Kill points run. */
  readonly kills: number;
  /** Kill points per kind. */
  readonly byKind: Readonly<Record<KillKind, number>>;
  /** Operations in the checked history (closing reads included). */
  readonly operations: number;
  /** Writes whose outcome is unknown (their deadline passed): checked as maybe applied. */
  readonly unknownWrites: number;
  /** Key groups checked, and how many were linearizable, not, or undecided (Porcupine's limit). */
  readonly checked: number;
  readonly illegal: number;
  readonly undecided: number;
  /**
   * The first failure: a key group that is not linearizable (the kill point after which its keys
   * were retired, its keys, the visualization if written), or a node that exited by itself (a
   * failed assertion or write: its status and last lines).
   */
  readonly firstFailure:
    | { readonly kind: "not linearizable"; readonly afterKills: number; readonly keys: readonly string[]; readonly visualization: string | undefined }
    | { readonly kind: "node failed"; readonly afterKills: number; readonly detail: string }
    | undefined;
  /** The pid of every node process the loop started (all killed by the time it returns). */
  readonly pids: readonly number[];
  readonly wallMs: number;
}

type KvOp = Operation<KvInput, KvOutput>;

/** Each operation must be done within this much (a whole-cluster restart takes seconds on a loaded machine). */
const OP_DEADLINE_MS = 60_000;
/** A leader must be agreed on within this much. */
const LEADER_WAIT_MS = 60_000;
/** After an "after ack" kill point is chosen, a write must be acknowledged within this much. */
const ACK_WAIT_MS = 30_000;
/** Keys per kill point. */
const KEYS_PER_ROUND = 3;
/** Porcupine's budget per key group (a small history: far more than it needs). */
const CHECK_MAX_STEPS = 20_000_000;

/** A small deterministic generator (mulberry32) for the loop's choices. */
function generator(seed: number): { int(n: number): number; between(lo: number, hi: number): number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), between: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

/** Runs the loop; see the module comment. Rejects on a liveness failure (no leader, an overrun) or an abort. */
export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopReport> {
  const log = options.log ?? (() => {});
  const rand = generator(options.seed);
  const nclients = options.clients ?? 4;
  const start = performance.now();
  const deadline = start + (options.maxMs ?? 30 * 60_000);
  const signal = options.signal;
  const byKind = Object.fromEntries(KILL_WEIGHTS.map(([k]) => [k, 0])) as Record<KillKind, number>;

  const cluster = await TestCluster.start(3, ["--request-timeout", "2000"], {
    ...(options.preload !== undefined ? { preload: options.preload } : {}),
    onStart: (id, pid) => log(`node ${id} started (pid ${pid})`),
  });
  const clients: KvHttpClient[] = [];
  const t0 = performance.now();
  const micros = (): number => Math.round((performance.now() - t0) * 1000);
  /** Completed operations by key. */
  const history = new Map<string, KvOp[]>();
  const inFlight = new Map<string, number>();
  let unknownWrites = 0;
  let operations = 0;
  /** Writes whose outcome is unknown, by key: added to the key's history as maybe applied. */
  const pendingUnknown = new Map<string, { input: KvInput; call: number; clientId: number }[]>();
  let round = 0;
  let stop = false;
  let ackWaiters: (() => void)[] = [];
  const result = { checked: 0, illegal: 0, undecided: 0, firstFailure: undefined as CrashLoopReport["firstFailure"] };
  const keysOf = (r: number): string[] => Array.from({ length: KEYS_PER_ROUND }, (_, i) => `r${r}.k${i}`);
  const record = (key: string, op: KvOp): void => {
    const list = history.get(key);
    if (list === undefined) history.set(key, [op]);
    else list.push(op);
  };

  const checkAbort = (): void => {
    if (signal?.aborted === true) throw new Error("the crash loop was interrupted");
    if (performance.now() > deadline) throw new Error(`the crash loop did not end within ${Math.round((options.maxMs ?? 30 * 60_000) / 1000)} s (after ${round} kill points)`);
  };
  /** `p`, or an error as soon as the loop is aborted: the loop's body never goes on after an abort. */
  const aborted = new Promise<never>((_, reject) => signal?.addEventListener("abort", () => reject(new Error("the crash loop was interrupted")), { once: true }));
  aborted.catch(() => {});
  const guard = async <T>(p: Promise<T>): Promise<T> => {
    const value = await Promise.race([p, aborted]);
    checkAbort();
    return value;
  };

  /** One client: operations on the keys of this round and the one before, until told to stop. */
  const runClient = async (id: number): Promise<void> => {
    const k = new KvHttpClient(cluster.httpAddrs, { deadlineMs: OP_DEADLINE_MS, attemptTimeoutMs: 5000, prefer: id % 3 });
    clients.push(k);
    const mine = generator(options.seed * 31 + id + 1);
    for (let n = 0; !stop; n++) {
      const r = round > 0 && mine.int(2) === 0 ? round - 1 : round;
      const key = keysOf(r)[mine.int(KEYS_PER_ROUND)]!;
      const pick = mine.int(10);
      const input: KvInput = pick < 4 ? { op: "get", key } : pick < 8 ? { op: "append", key, value: `${id}.${n};` } : { op: "put", key, value: `${id}.${n};` };
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      const call = micros();
      try {
        let output: KvOutput = {};
        if (input.op === "get") output = { value: await k.get(key) };
        else if (input.op === "append") await k.append(key, input.value!);
        else await k.put(key, input.value!);
        record(key, { clientId: id, input, call, output, return: micros() });
        if (input.op !== "get") {
          const waiting = ackWaiters;
          ackWaiters = [];
          for (const w of waiting) w();
        }
      } catch (e) {
        if (!(e instanceof KvUnavailableError)) throw e;
        // A get that failed tells nothing; a write that failed may or may not have happened.
        if (input.op !== "get") {
          unknownWrites++;
          pendingUnknown.set(key, [...(pendingUnknown.get(key) ?? []), { input, call, clientId: id }]);
        }
        log(`client ${id}: ${e.message}`);
      } finally {
        inFlight.set(key, inFlight.get(key)! - 1);
      }
    }
  };

  /** Checks the history of `keys` (their operations all done); records the verdict. */
  const check = (keys: readonly string[], afterKills: number): void => {
    const ops: KvOp[] = [];
    for (const key of keys) {
      ops.push(...(history.get(key) ?? []));
      // Maybe applied, at any time after its call: it "returns" after everything else.
      for (const u of pendingUnknown.get(key) ?? []) ops.push({ clientId: u.clientId, input: u.input, call: u.call, output: {}, return: Number.MAX_SAFE_INTEGER });
      history.delete(key);
      pendingUnknown.delete(key);
    }
    operations += ops.length;
    const { result: verdict, info } = checkOperationsVerbose(kvModel, ops, { maxSteps: CHECK_MAX_STEPS });
    result.checked++;
    if (verdict === "ok") return;
    if (verdict === "unknown") {
      result.undecided++;
      log(`keys ${keys.join(", ")}: Porcupine could not decide within ${CHECK_MAX_STEPS} steps`);
      return;
    }
    result.illegal++;
    let visualization: string | undefined;
    if (options.visualizationFile !== undefined && result.firstFailure === undefined) {
      visualizeToFile(kvModel, info, options.visualizationFile, { title: `crash loop seed ${options.seed}: keys ${keys.join(", ")} after kill point ${afterKills}`, openAtFirstError: true });
      visualization = options.visualizationFile;
    }
    log(`NOT LINEARIZABLE: keys ${keys.join(", ")} (after kill point ${afterKills})${visualization !== undefined ? `; visualization: ${visualization}` : ""}`);
    result.firstFailure ??= { kind: "not linearizable", afterKills, keys: [...keys], visualization };
  };

  /** Retired key groups waiting for their operations in flight to end. */
  const retired: { keys: string[]; afterKills: number }[] = [];
  const checkRetired = (all: boolean): void => {
    while (retired.length > 0) {
      const next = retired[0]!;
      if (!all && next.keys.some((key) => (inFlight.get(key) ?? 0) > 0)) return;
      retired.shift();
      check(next.keys, next.afterKills);
    }
  };
  /** A closing read of each key (recorded like any operation). */
  const closingReads = async (keys: readonly string[]): Promise<void> => {
    const reader = new KvHttpClient(cluster.httpAddrs, { deadlineMs: OP_DEADLINE_MS, attemptTimeoutMs: 5000, prefer: rand.int(3) });
    clients.push(reader);
    try {
      for (const key of keys) {
        const call = micros();
        const value = await reader.get(key);
        record(key, { clientId: nclients, input: { op: "get", key }, call, output: { value }, return: micros() });
      }
    } finally {
      reader.close();
    }
  };

  const nextAck = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no write was acknowledged within ${ACK_WAIT_MS / 1000} s\n${cluster.outputs()}`)), ACK_WAIT_MS);
      ackWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  /** A node process that exited by itself (never one we killed: those end by SIGKILL). */
  const died = (): string | undefined => {
    const n = cluster.nodes.find((x) => x.proc !== undefined && x.proc.exitCode !== null);
    return n === undefined ? undefined : `node ${n.id} exited by itself with status ${n.proc!.exitCode}:\n${n.output.join("").split("\n").slice(-20).join("\n")}`;
  };
  let running: Promise<void>[] = [];
  let kill = 0;
  try {
    await guard(cluster.waitForLeader(LEADER_WAIT_MS));
    running = Array.from({ length: nclients }, (_, id) => runClient(id));
    for (kill = 1; kill <= options.kills; kill++) {
      checkAbort();
      const dead = died();
      if (dead !== undefined) throw new NodeFailed(dead);
      await guard(sleep(rand.between(100, 600)));
      const { leader } = await guard(cluster.waitForLeader(LEADER_WAIT_MS));
      const followers = [1, 2, 3].filter((id) => id !== leader);
      const kind = drawKind(rand.int(100));
      byKind[kind]++;
      const follower = followers[rand.int(2)]!;
      const victims = kind === "leader" || kind === "leader after ack" ? [leader] : kind === "follower" ? [follower] : kind === "leader and follower after ack" ? [leader, follower] : [1, 2, 3];
      if (kind.endsWith("after ack")) await guard(nextAck());
      // SIGKILL goes to every victim before any exit is awaited.
      await guard(Promise.all(victims.map((id) => cluster.kill9(id))));
      log(`kill point ${kill}: ${kind}: kill -9 of node${victims.length > 1 ? "s" : ""} ${victims.join(", ")}`);
      await guard(sleep(rand.between(0, 1000)));
      for (const id of victims) cluster.startNode(id);
      // Every node must be up again before the next kill point.
      await guard(
        cluster.waitForStatus(
          `every node answers after kill point ${kill}`,
          (s) => {
            const d = died();
            if (d !== undefined) throw new NodeFailed(d);
            return s.size === 3;
          },
          LEADER_WAIT_MS,
        ),
      );
      // New keys; the keys of two kill points ago retire: a closing read, then the check.
      round = kill;
      if (kill >= 2) {
        const keys = keysOf(kill - 2);
        await guard(closingReads(keys));
        retired.push({ keys, afterKills: kill });
      }
      checkRetired(false);
      if (result.firstFailure !== undefined && options.stopAtFailure !== false) break;
    }
    stop = true;
    await guard(Promise.all(running));
    running = [];
    if (result.firstFailure === undefined || options.stopAtFailure === false) {
      // The last keys: read each once more, then check everything left.
      const last = [...new Set([...history.keys(), ...pendingUnknown.keys()])].filter((key) => !retired.some((g) => g.keys.includes(key)));
      await guard(closingReads(last));
      retired.push({ keys: last, afterKills: round });
    }
    checkRetired(true);
  } catch (e) {
    if (!(e instanceof NodeFailed)) throw e;
    log(`NODE FAILED after kill point ${kill}: ${e.message}`);
    result.firstFailure ??= { kind: "node failed", afterKills: kill, detail: e.message };
  } finally {
    stop = true;
    for (const c of clients) c.close();
    await cluster.destroy();
    // The clients end once their operation in flight gives up (the nodes are gone).
    await Promise.allSettled(running);
  }
  return {
    kills: Object.values(byKind).reduce((a, b) => a + b, 0),
    byKind,
    operations,
    unknownWrites,
    ...result,
    pids: [...cluster.pids],
    wallMs: Math.round(performance.now() - start),
  };
}

/** A node process exited by itself during the loop. */
class NodeFailed extends Error {
  override readonly name = "NodeFailed";
}

function drawKind(x: number): KillKind {
  let acc = 0;
  for (const [kind, weight] of KILL_WEIGHTS) {
    acc += weight;
    if (x < acc) return kind;
  }
  return KILL_WEIGHTS[0]![0];
}
