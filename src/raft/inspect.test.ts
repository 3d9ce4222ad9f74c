import { expect } from "vitest";
import { simTest } from "../harness/index.js";
import { makeRaftTester } from "./tester.js";

simTest("inspect() shows a peer's term, role, log terms, commit and apply indices, read-only", async (t) => {
  const ts = makeRaftTester(t, { servers: 3 });
  const leader = await ts.checkOneLeader();
  const index = await ts.one(101, 3, false);
  const view = ts.raft(leader).inspect?.();
  expect(view).toBeDefined();
  const { term, isLeader } = ts.raft(leader).getState();
  expect(isLeader).toBe(true);
  expect(view).toMatchObject({ term, role: "leader", votedFor: leader, snapshotIndex: 0, snapshotTerm: 0, lastIndex: index });
  expect(view!.termAt(0)).toBe(0);
  expect(view!.termAt(index)).toBe(term);
  expect(view!.termAt(index + 1)).toBeUndefined();
  expect(view!.commitIndex).toBeGreaterThanOrEqual(index);
  expect(view!.lastApplied).toBeLessThanOrEqual(view!.commitIndex);
  const follower = ts.raft((leader + 1) % 3).inspect?.();
  expect(follower).toMatchObject({ term, role: "follower", lastIndex: index });
  ts.end();
});
