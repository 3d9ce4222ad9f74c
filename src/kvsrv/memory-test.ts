/**
 * The six memory tests of Lab 2 (kvsrv's `TestMem*`): the server may keep only what duplicate
 * detection needs (per Clerk: its last request id and its last Append's reply), never old values
 * or Get replies. Memory is the live heap of the whole test process after a forced collection
 * (`heap.ts`), as Go's `runtime.GC()` + `HeapAlloc`.
 *
 * Go's bounds are absolute for four of the tests (10 MiB, 10 MiB, 30 MiB, 3 000 000 bytes): a Go
 * test binary starts with well under 1 MiB of heap, a Node worker with tens of MiB (the code of the
 * simulator, vitest and the test itself). Here those bounds apply to the heap the test adds: what
 * it holds after the test's operations minus what the process held just before the test created
 * its server ({@link liveHeap} at the start). The two per-client bounds are relative in Go already
 * (m1 - m0) and are kept as they are. docs/conformance.md has the measurements.
 *
 * The 100 000-Clerk tests send their Puts and Gets in waves of {@link WAVE} Clerks at a time: a
 * reliable RPC takes at least 2 ms of virtual time here, so 100 000 in a row would take 200-400
 * virtual seconds, past the 120 s limit (Go's sequential loop takes 8-37 s of real time).
 *
 * @module
 */
import { sleep } from "../runtime/index.js";
import { currentSimulation } from "../sim/index.js";
import { fatal } from "../tester/failure.js";
import type { TestInfo } from "../tester/test-info.js";
import type { Clerk } from "./client.js";
import { withConfig } from "./config.js";
import { randValue } from "./generic-test.js";
import { MiB, liveHeap } from "./heap.js";
import type { KVServer } from "./server.js";

/** How many of the 100 000 Clerks send at the same time (see the module comment). */
export const WAVE = 1000;

/** Starts the server; the tester's own tests plant faulty ones. */
type Start = (() => KVServer) | undefined;

/** `op` for every Clerk, {@link WAVE} at a time, each wave after the previous one completed. */
async function inWaves(cks: readonly Clerk[], op: (ck: Clerk) => Promise<unknown>): Promise<void> {
  for (let w = 0; w < cks.length; w += WAVE) await Promise.all(cks.slice(w, w + WAVE).map(op));
}

/** Whole MiB the test added to the heap since `base` (Go: `HeapAlloc / MiB`), said in an info line. */
function addedMiB(base: number): number {
  const added = liveHeap() - base;
  report(`heap added by the test: ${added} bytes`);
  return Math.floor(Math.max(0, added) / MiB);
}

/**
 * Prints a measurement (the original prints only TestMemManyAppends' `m0 m1`). Not logged: the log
 * is part of the run's trace, which must not depend on the machine.
 */
function report(text: string): void {
  console.log(`info: ${text}`);
}

/** What a run notes when it cannot judge memory (see {@link overBound}). */
export const TRACE_NOTE = "memory bound not checked: CHECK_DETERMINISM keeps every step of the run in memory";

/**
 * Whether a measurement is over its bound. A run that records its trace (`CHECK_DETERMINISM=1`)
 * keeps every step, message and log line of the run in memory, so the heap says nothing about the
 * server: such a run checks determinism only, and notes it.
 */
function overBound(t: TestInfo, over: boolean): boolean {
  if (currentSimulation()?.trace.recording !== true) return over;
  t.note(TRACE_NOTE);
  console.log(`info: ${TRACE_NOTE}`);
  return false;
}

/** `TestMemGet2`: the server must not keep the 10 MiB it answered to two Gets. */
export async function memGet(t: TestInfo, start?: Start): Promise<void> {
  const MEM = 10; // in MiB
  const base = liveHeap();
  await withConfig(
    t,
    true,
    async (cfg) => {
      const ck0 = cfg.makeClient();
      const ck1 = cfg.makeClient();
      cfg.begin("Test: memory use get");
      let rdVal = randValue(MiB * MEM);
      await ck0.put("k", rdVal);
      const want = rdVal.length;
      rdVal = "";
      for (const ck of [ck0, ck1]) {
        const len = (await ck.get("k")).length;
        if (len !== want) fatal(`error: incorrect len ${len}\n`);
      }
      await ck0.put("k", "0");
      const m = addedMiB(base);
      if (overBound(t, m >= MEM)) fatal(`error: server using too much memory ${m}\n`);
      cfg.deleteClient(ck0);
      cfg.deleteClient(ck1);
      cfg.end();
    },
    start,
  );
}

/** `TestMemPut2`: the server must not keep a value that a later Put replaced. */
export async function memPut(t: TestInfo, start?: Start): Promise<void> {
  const MEM = 10; // in MiB
  const base = liveHeap();
  await withConfig(
    t,
    false,
    async (cfg) => {
      cfg.begin("Test: memory use put");
      const ck0 = cfg.makeClient();
      const ck1 = cfg.makeClient();
      await ck0.put("k", randValue(MiB * MEM));
      await ck1.put("k", "");
      const m = addedMiB(base);
      if (overBound(t, m >= MEM)) fatal(`error: server using too much memory ${m}\n`);
      cfg.deleteClient(ck0);
      cfg.deleteClient(ck1);
      cfg.end();
    },
    start,
  );
}

/** `TestMemAppend2`: two 10 MiB Appends may cost the value (20 MiB) and the last reply, no more. */
export async function memAppend(t: TestInfo, start?: Start): Promise<void> {
  const MEM = 10; // in MiB
  const base = liveHeap();
  await withConfig(
    t,
    false,
    async (cfg) => {
      cfg.begin("Test: memory use append");
      const ck0 = cfg.makeClient();
      const ck1 = cfg.makeClient();
      await ck0.append("k", randValue(MiB * MEM));
      await ck1.append("k", randValue(MiB * MEM));
      const m = addedMiB(base);
      if (overBound(t, m > 3 * MEM)) fatal(`error: server using too much memory ${m}\n`);
      cfg.deleteClient(ck0);
      cfg.deleteClient(ck1);
      cfg.end();
    },
    start,
  );
}

/** `TestMemPutManyClients`: one Put by each of 100 000 Clerks may cost at most 200 bytes per Clerk. */
export async function memPutManyClients(t: TestInfo, start?: Start): Promise<void> {
  const NCLIENT = 100_000;
  const MEM = 1000;
  await withConfig(
    t,
    false,
    async (cfg) => {
      const v = randValue(MEM);
      const cks = Array.from({ length: NCLIENT }, () => cfg.makeClient());
      // allow threads started by labrpc to start
      await sleep(1000);
      cfg.begin("Test: memory use many put clients");
      const m0 = liveHeap();
      await inWaves(cks, (ck) => ck.put("k", v));
      liveHeap();
      await sleep(1000);
      const m1 = liveHeap();
      const f = (m1 - m0) / NCLIENT;
      report(`heap m0 ${m0} m1 ${m1}: ${f.toFixed(2)} bytes per client`);
      if (overBound(t, m1 > m0 + NCLIENT * 200)) fatal(`error: server using too much memory ${m0} ${m1} (${f.toFixed(2)} per client)\n`);
      for (const ck of cks) cfg.deleteClient(ck);
      cfg.end();
    },
    start,
  );
}

/** `TestMemGetManyClients`: one Get by each of 100 000 Clerks may cost less than 10 bytes per Clerk. */
export async function memGetManyClients(t: TestInfo, start?: Start): Promise<void> {
  const NCLIENT = 100_000;
  await withConfig(
    t,
    false,
    async (cfg) => {
      const ck = cfg.makeClient();
      await ck.put("0", "");
      cfg.deleteClient(ck);
      const cks = Array.from({ length: NCLIENT }, () => cfg.makeClient());
      // allow threads started by labrpc to start
      await sleep(1000);
      cfg.begin("Test: memory use many get client");
      const m0 = liveHeap();
      await inWaves(cks, (c) => c.get("0"));
      liveHeap();
      await sleep(1000);
      const m1 = liveHeap();
      const f = (m1 - m0) / NCLIENT;
      report(`heap m0 ${m0} m1 ${m1}: ${f.toFixed(2)} bytes per client`);
      if (overBound(t, m1 >= m0 + NCLIENT * 10)) fatal(`error: server using too much memory m0 ${m0} m1 ${m1} (${f.toFixed(2)} per client)\n`);
      for (const c of cks) cfg.deleteClient(c);
      cfg.end();
    },
    start,
  );
}

/** `TestMemManyAppends`: 1000 Appends of 1000 bytes may leave less than 3 000 000 bytes (the value and the last reply). */
export async function memManyAppends(t: TestInfo, start?: Start): Promise<void> {
  const N = 1000;
  const MEM = 1000;
  const base = liveHeap();
  await withConfig(
    t,
    false,
    async (cfg) => {
      const ck0 = cfg.makeClient();
      const rdVal = randValue(MEM);
      cfg.begin("Test: memory use many appends");
      const m0 = liveHeap() - base;
      for (let i = 0; i < N; i++) await ck0.append("k", rdVal);
      liveHeap();
      await sleep(1000);
      const m1 = liveHeap() - base;
      if (overBound(t, m1 >= 3 * MEM * N)) fatal(`error: server using too much memory m0 ${m0} m1 ${m1}\n`);
      console.log(`m0 ${m0} m1 ${m1}`);
      cfg.deleteClient(ck0);
      cfg.end();
    },
    start,
  );
}
