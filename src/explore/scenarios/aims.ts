/**
 * What each lab part's explore scenario puts to the test, in a phrase: in each run's first line (the
 * tester's `begin`), and in the grade's explore entries; and the names of Lab 3's scenarios, which
 * say it too. Imports nothing, so the grader can name a part's scenario and aim in any tree.
 */
export const SCENARIO_AIMS: Readonly<Record<string, string>> = {
  "2": "exactly-once Put and Append on one server under lost, late, held and repeated messages",
  "3A": "elections under lost, late and reordered messages and partitions",
  "3B": "agreement: commands from every peer under message faults and partitions",
  "3C": "persistence: crashes right after votes, replies and starts; Figure 8 situations",
  "3D": "log compaction: snapshots every few entries, followers left behind and brought back by InstallSnapshot, stale snapshots",
  "4A": "a linearizable KV service under faults: retried requests, partitions, crashes",
  "4B": "the KV service with snapshots of 200-1000 bytes under crashes and restarts",
  "5A": "the shard controller's configurations under lost, late and reordered messages (no scenario of its own: its lab tests)",
  "5B": "shards moving between groups under crashes and partitions of whole groups and of the controller",
};

/** A part of Lab 3. */
export type RaftPart = "3A" | "3B" | "3C" | "3D";

/**
 * Lab 3's explore scenarios by part: each name says what its scenario aims at and ends with the
 * part (how `npm run explore -- 3C`, stress and the grader map a scenario to its part), and starts
 * with `ExploreRaft` (so `npm run explore -- ExploreRaft` picks all four, with the targeted
 * `ExploreRaftStaleAppendReply3B`, and kept tests of them go to `src/raft/kept`).
 */
export const RAFT_SCENARIO_NAMES: Readonly<Record<RaftPart, string>> = {
  "3A": "ExploreRaftElection3A",
  "3B": "ExploreRaftAgreement3B",
  "3C": "ExploreRaftPersistence3C",
  "3D": "ExploreRaftSnapshots3D",
};
