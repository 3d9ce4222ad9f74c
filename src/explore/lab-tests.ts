/**
 * Which lab tests explore runs under its nemesis, and why the others are left out. Under the lab
 * profile of the fault plan (`fault-plan.ts`) the nemesis only loses, delays and reorders messages,
 * at low rates. A lab test qualifies when no check of it can fail a correct Raft or KV server because
 * of that: its safety checks (applied commands, the monitors, append checks, linearizability) hold
 * under any message faults, and its time limits are generous enough.
 */

/** Lab tests left out, and why: each has a check that extra message faults alone can break. */
export const NOT_UNDER_NEMESIS: Readonly<Record<string, string>> = {
  TestInitialElection3A: "checkTerms() right after an election: a delayed heartbeat leaves a follower in the old term",
  TestRPCBytes3B: "counts RPC bytes: resent entries are more bytes",
  TestCount3B: "counts RPCs: lost messages are resent",
  TestSpeed4A: "times operations: delayed messages make them slower",
  TestSpeed4B: "times operations: delayed messages make them slower",
  TestOnePartition4A: "the minority's operation must complete within 3 s of healing",
  TestMemGet2: "measures the heap: a copy of a request the nemesis holds back keeps its 10 MiB value alive",
  TestMemPut2: "measures the heap: a copy of a request the nemesis holds back keeps its 10 MiB value alive",
  TestMemAppend2: "measures the heap: a copy of a request the nemesis holds back keeps its 10 MiB value alive",
  TestMemPutManyClients: "measures the heap per client: requests the nemesis holds back are counted",
  TestMemGetManyClients: "measures the heap per client: requests the nemesis holds back are counted",
  TestMemManyAppends: "measures the heap: requests the nemesis holds back are counted",
  TestStaticShards5A: "exactly half the Gets must complete with no 2 s gap between completions: a Get of a live shard slowed past the window by lost and late messages counts as not served",
  TestJoinLeave5B: "shuts the group that left down for good 1 s after the Leave: a shard whose move lost and late messages slowed past that second can never arrive (the Get waits until the 120 s limit)",
  TestRejection5A: "exactly half the Gets must complete with no 2 s gap between completions: a Get of a live shard slowed past the window by lost and late messages counts as not served",
};

/** The lab tests explore runs under its nemesis, by part. */
export const LAB_TESTS_UNDER_NEMESIS: Readonly<Record<string, readonly string[]>> = {
  "2": ["TestBasic2", "TestConcurrent2", "TestUnreliable2", "TestUnreliableOneKey2"],
  "3A": ["TestReElection3A", "TestManyElections3A"],
  "3B": ["TestBasicAgree3B", "TestFollowerFailure3B", "TestLeaderFailure3B", "TestFailAgree3B", "TestFailNoAgree3B", "TestConcurrentStarts3B", "TestRejoin3B", "TestBackup3B"],
  "3C": ["TestPersist13C", "TestPersist23C", "TestPersist33C", "TestFigure83C", "TestUnreliableAgree3C", "TestFigure8Unreliable3C", "TestReliableChurn3C", "TestUnreliableChurn3C"],
  "3D": ["TestSnapshotBasic3D", "TestSnapshotInstall3D", "TestSnapshotInstallUnreliable3D", "TestSnapshotInstallCrash3D", "TestSnapshotInstallUnCrash3D", "TestSnapshotAllCrash3D", "TestSnapshotInit3D"],
  "4A": [
    "TestBasic4A", "TestConcurrent4A", "TestUnreliable4A", "TestUnreliableOneKey4A", "TestManyPartitionsOneClient4A", "TestManyPartitionsManyClients4A",
    "TestPersistOneClient4A", "TestPersistConcurrent4A", "TestPersistConcurrentUnreliable4A", "TestPersistPartition4A", "TestPersistPartitionUnreliable4A",
    "TestPersistPartitionUnreliableLinearizable4A",
  ],
  "4B": [
    "TestSnapshotRPC4B", "TestSnapshotSize4B", "TestSnapshotRecover4B", "TestSnapshotRecoverManyClients4B", "TestSnapshotUnreliable4B",
    "TestSnapshotUnreliableRecover4B", "TestSnapshotUnreliableRecoverConcurrentPartition4B", "TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable4B",
  ],
  "5A": ["TestBasic", "TestMinimalAgain", "TestMulti"],
  "5B": [
    "TestSnapshot5B", "TestMissChange5B", "TestConcurrent1_5B", "TestConcurrent2_5B", "TestConcurrent3_5B",
    "TestUnreliable1_5B", "TestUnreliable2_5B", "TestUnreliable3_5B",
  ],
};

/** Whether explore runs lab test `name` under its nemesis. */
export function runsUnderNemesis(name: string): boolean {
  return Object.values(LAB_TESTS_UNDER_NEMESIS).some((names) => names.includes(name));
}
