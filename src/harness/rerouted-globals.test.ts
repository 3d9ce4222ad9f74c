import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runSim } from "../sim/index.js";
import { labCaller, reroutedWarning } from "./rerouted-globals.js";

describe("warning about lab code that calls Math.random or Date.now", () => {
  it("the simulation reports the first calls of each routed global, with a stack", async () => {
    const seen: { global: string; stack: string }[] = [];
    await runSim(
      1,
      async () => {
        for (let i = 0; i < 30; i++) Math.random();
        Date.now();
      },
      { onRerouted: (global, stack) => void seen.push({ global, stack }) },
    );
    expect(seen.filter((s) => s.global === "Math.random")).toHaveLength(20);
    expect(seen.filter((s) => s.global === "Date.now")).toHaveLength(1);
    expect(seen[0]!.stack).toContain("rerouted-globals.test.ts");
  });

  it("names the place in lab code, skipping the kernel, the harness, the testers and test files", () => {
    const root = resolve(import.meta.dirname, "../..");
    const stack = [
      "Error",
      `    at report (${root}/src/sim/globals.ts:80:20)`,
      `    at Math.random (${root}/src/sim/globals.ts:85:5)`,
      `    at Object.body (${root}/src/raft/raft-3a.test.ts:9:3)`,
      `    at KvConfig.op (${root}/src/kvraft/config.ts:242:13)`,
      `    at Raft.electionTimeout (${root}/src/raft/raft.ts:120:31)`,
      `    at ${root}/src/tester/server-group.ts:50:7`,
    ].join("\n");
    // This repository's course/labs.json says which files are a student's: raft.ts is, the KV tester's config.ts is not.
    expect(labCaller(stack)).toBe("src/raft/raft.ts:120:31");
    expect(labCaller(`Error\n    at ${root}/src/kvraft/config.ts:1:1\n    at ${root}/packages/porcupine/src/scheduler.ts:88:44\n    at node:internal/x:1:1`)).toBeUndefined();
    expect(reroutedWarning("Math.random", "src/raft/raft.ts:120:31")).toBe(
      "lab code called Math.random at src/raft/raft.ts:120:31: inside a simulation it is routed to virtual time and the node's seeded stream, but call random (src/runtime) instead",
    );
  });
});
