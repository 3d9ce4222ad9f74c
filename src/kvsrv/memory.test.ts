// @vitest-environment-options {"ownProcess": "kvsrv-memory"}
/**
 * The memory tests catch what they exist to catch: a server whose table keeps every reply (every
 * Get's answer, the value each Put replaced, every Append's old value) fails the four memory tests
 * that such a server fails in Go, and passes the two it passes there (two Appends keep no more than
 * the value and the last reply; one Put per Clerk replaces one shared value).
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { assertOwnProcess } from "../harness/own-process.js";
import { runSim } from "../sim/index.js";
import type { TestInfo } from "../tester/test-info.js";
import type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";
import { memAppend, memGet, memGetManyClients, memManyAppends, memPut, memPutManyClients } from "./memory-test.js";
import { KVServer } from "./server.js";

/** A planted bug: duplicate detection that never frees anything. */
class KeepsEveryReply extends KVServer {
  private readonly replies = new Map<number, { readonly value: string }>();
  private n = 0;

  override get(args: GetArgs): GetReply {
    const reply = super.get(args);
    this.replies.set(++this.n, reply);
    return reply;
  }

  override put(args: PutAppendArgs): PutAppendReply {
    this.replies.set(++this.n, super.get({ key: args.key })); // the value this Put replaces
    return super.put(args);
  }

  override append(args: PutAppendArgs): PutAppendReply {
    const reply = super.append(args);
    this.replies.set(++this.n, reply);
    return reply;
  }
}

type MemTest = (t: TestInfo, start?: () => KVServer) => Promise<void>;

/** Runs a memory test on the planted server in a simulation; rejects with its failure, if any. */
function planted(name: string, test: MemTest): Promise<unknown> {
  const t: TestInfo = { name, seed: 1, wallMs: () => 0, note: () => {} };
  return runSim(1, () => test(t, () => new KeepsEveryReply()));
}

describe("Lab 2 memory tests on a server that keeps every reply", () => {
  beforeAll(() => assertOwnProcess("src/kvsrv/memory.test.ts", "its memory tests measure the heap of the whole process"));
  vi.spyOn(console, "log").mockImplementation(() => {});

  it.each([
    ["TestMemGet2", memGet],
    ["TestMemPut2", memPut],
    ["TestMemGetManyClients", memGetManyClients],
    ["TestMemManyAppends", memManyAppends],
  ] as const)("%s fails, as in Go", async (name, test) => {
    await expect(planted(name, test)).rejects.toThrow(/error: server using too much memory/);
  });

  it.each([
    ["TestMemAppend2", memAppend],
    ["TestMemPutManyClients", memPutManyClients],
  ] as const)("%s passes, as in Go", async (name, test) => {
    await expect(planted(name, test)).resolves.toBeDefined();
  });
});
