/**
 * The Lab 2 tests' shared procedures (kvsrv's `test_test.go`): concurrent clients, the append
 * checks, random values and `GenericTest`.
 *
 * @module
 */
import { Channel, dlog, go, random, sleep } from "../runtime/index.js";
import { currentSimulation } from "../sim/index.js";
import { checkClntAppends, element } from "../tester/appends.js";
import { fatal } from "../tester/failure.js";
import { checkLinearizable } from "../tester/linearizability.js";
import { OpLog } from "../tester/op-log.js";
import type { TestInfo } from "../tester/test-info.js";
import type { Clerk } from "./client.js";
import { withConfig, type Config } from "./config.js";
import { append, get, put } from "./history.js";

/** Iterations of {@link genericTest} (Go's `NITER`). */
export const NITER = 3;
/** Virtual seconds of load per iteration (Go's `TIME`). */
export const TIME = 1;

/**
 * Runs `fn` as `ncli` concurrent clients, each with its own fresh Clerk, which is deleted when it
 * is done, and waits for all (Go's `spawn_clients_and_wait`). A client that throws fails the test.
 */
export async function spawnClientsAndWait(cfg: Config, ncli: number, fn: (me: number, ck: Clerk) => Promise<void>): Promise<void> {
  const ca = Array.from({ length: ncli }, () => new Channel<boolean>());
  const sim = currentSimulation();
  for (let cli = 0; cli < ncli; cli++) {
    const done = ca[cli]!;
    const client = (): void =>
      go(`client ${cli}`, async () => {
        const ck = cfg.makeClient();
        await fn(cli, ck);
        cfg.deleteClient(ck);
        await done.send(true);
      });
    // Each client is a node of its own: its random choices do not shift anyone else's.
    if (sim === undefined) client();
    else sim.runIn(sim.node(`client ${cli}`), client);
  }
  for (const done of ca) {
    if (!(await done.recv())) fatal("failure");
  }
}


/** Letters of {@link randValue} (Go's `letterBytes`). */
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * `n` random letters a-z, A-Z (Go's `randValue`), as one flat string on the heap. One draw from the
 * simulation's stream seeds a xorshift generator for the letters: 10 MiB of them in a few ms,
 * still a function of the seed.
 */
export function randValue(n: number): string {
  let x = random.int(0x7fffffff) | 1;
  const parts: string[] = [];
  const chunk: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    chunk.push(LETTERS.charCodeAt((x >>> 0) % LETTERS.length));
    if (chunk.length === 8192 || i === n - 1) {
      parts.push(String.fromCharCode(...chunk));
      chunk.length = 0;
    }
  }
  return parts.join("");
}

/** Parameters of {@link genericTest}. */
export interface GenericTestOptions {
  readonly nclients: number;
  /** The network drops and delays RPCs. */
  readonly unreliable: boolean;
  /** Clients use random keys (and some puts): only the linearizability check can judge. No test of the original sets it. */
  readonly randomkeys: boolean;
}

/** The original's title: `Test: unreliable net, many clients`. */
export function genericTitle(o: GenericTestOptions): string {
  let title = "Test: ";
  if (o.unreliable) title += "unreliable net, ";
  if (o.randomkeys) title += "random keys, ";
  return title + (o.nclients > 1 ? "many clients" : "one client");
}

/** A flag the main task sets to tell the clients to stop (Go's `atomic.StoreInt32(&done_clients, 1)`). */
interface StopFlag {
  stop: boolean;
}

/**
 * The original's `GenericTest`: `nclients` clients append to and read their own key (with random
 * keys: any key, and some puts) for {@link NITER} periods of {@link TIME} s. Each Append must
 * answer the value before it: it holds the client's previous element and not the new one; each Get
 * must read what the client built; after each period every client's appends must be in its key
 * once each and in order. Finally the whole history must be linearizable.
 */
export async function genericTest(t: TestInfo, o: GenericTestOptions): Promise<void> {
  const { nclients, unreliable, randomkeys } = o;
  await withConfig(t, unreliable, async (cfg) => {
    cfg.begin(genericTitle(o));
    const opLog = new OpLog();
    const ck = cfg.makeClient();
    const doneClients: StopFlag = { stop: false };
    const clnts = Array.from({ length: nclients }, () => new Channel<number>());

    for (let i = 0; i < NITER; i++) {
      dlog("tester", "TEST", `iteration ${i}`);
      doneClients.stop = false;
      go("spawn clients", () =>
        spawnClientsAndWait(cfg, nclients, async (cli, myck) => {
          let j = 0;
          let last = ""; // only used when not randomkeys
          if (!randomkeys) await put(cfg, myck, String(cli), last, opLog, cli);
          while (!doneClients.stop) {
            const key = randomkeys ? String(random.int(nclients)) : String(cli);
            const nv = element(cli, j);
            if (random.int(1000) < 500) {
              const l = await append(cfg, myck, key, nv, opLog, cli);
              if (!randomkeys) {
                if (j > 0) {
                  const o = element(cli, j - 1);
                  if (!l.includes(o)) fatal(`error: old ${o} not in return\n${l}\n`);
                }
                if (l.includes(nv)) fatal(`error: new value ${nv} in returned values\n${l}\n`);
                last += nv;
              }
              j++;
            } else if (randomkeys && random.int(1000) < 100) {
              // We only do this when using random keys, because it would break the check done
              // after Get() operations.
              await put(cfg, myck, key, nv, opLog, cli);
              j++;
            } else {
              const v = await get(cfg, myck, key, opLog, cli);
              // The following check only makes sense when we're not using random keys.
              if (!randomkeys && v !== last) fatal(`get wrong value, key ${key}, wanted:\n${last}\n, got\n${v}\n`);
            }
          }
          await clnts[cli]!.send(j);
        }),
      );

      await sleep(TIME * 1000);
      doneClients.stop = true; // tell clients to quit

      for (let c = 0; c < nclients; c++) {
        const j = await clnts[c]!.recv();
        const key = String(c);
        const v = await get(cfg, ck, key, opLog, 0);
        if (!randomkeys) checkClntAppends(c, v, j);
      }
    }

    checkLinearizable(cfg, opLog.read());
    cfg.end();
  });
}

// The appends checks are the testers' shared ones, re-exported for this lab's tests.
export { element, checkClntAppends, checkConcurrentAppends } from "../tester/appends.js";
