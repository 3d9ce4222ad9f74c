// @vitest-environment-options {"ownProcess": "kvsrv-2"}
/**
 * Lab 2: the key/value server (the original 2024 `src/kvsrv/test_test.go`, in order, with its
 * names, titles, parameters and messages). Part 1 (no network failures) is TestBasic2 and
 * TestConcurrent2; the rest is Part 2 (dropped messages) and the memory tests.
 */
import { beforeAll } from "vitest";
import { simTest } from "../harness/index.js";
import { assertOwnProcess } from "../harness/own-process.js";
import {
  append,
  checkConcurrentAppends,
  fatal,
  genericTest,
  get,
  memAppend,
  memGet,
  memGetManyClients,
  memManyAppends,
  memPut,
  memPutManyClients,
  put,
  spawnClientsAndWait,
  withConfig,
} from "./tester.js";

// The memory tests measure the whole process's heap: nothing of another test file may be in it.
beforeAll(() => assertOwnProcess("src/kvsrv/kvsrv-2.test.ts", "its memory tests measure the heap of the whole process"));

simTest("TestBasic2", (t) =>
  // Test: one client ...
  genericTest(t, { nclients: 1, unreliable: false, randomkeys: false }),
);

simTest("TestConcurrent2", (t) =>
  // Test: many clients ...
  genericTest(t, { nclients: 5, unreliable: false, randomkeys: false }),
);

simTest("TestUnreliable2", (t) =>
  // Test: unreliable net, many clients ...
  genericTest(t, { nclients: 5, unreliable: true, randomkeys: false }),
);

simTest("TestUnreliableOneKey2", (t) =>
  withConfig(t, true, async (cfg) => {
    const ck = cfg.makeClient();
    cfg.begin("Test: concurrent append to same key, unreliable");
    await put(cfg, ck, "k", "");
    const nclient = 5;
    const upto = 10;
    await spawnClientsAndWait(cfg, nclient, async (me, myck) => {
      for (let n = 0; n < upto; n++) {
        const nv = `x ${me} ${n} y`;
        const ov = await append(cfg, myck, "k", nv);
        if (ov.includes(nv)) fatal(`error: nv ${nv} in returned values\n${ov}\n`);
      }
    });
    const counts = Array.from({ length: nclient }, () => upto);
    const vx = await get(cfg, ck, "k");
    checkConcurrentAppends(vx, counts);
    cfg.end();
  }),
);

simTest("TestMemGet2", (t) => memGet(t));

simTest("TestMemPut2", (t) => memPut(t));

simTest("TestMemAppend2", (t) => memAppend(t));

simTest("TestMemPutManyClients", (t) => memPutManyClients(t));

simTest("TestMemGetManyClients", (t) => memGetManyClients(t));

simTest("TestMemManyAppends", (t) => memManyAppends(t));
