/**
 * One debugging session: a test and a seed, the recorded run, and the tree of branches made from
 * it. Each branch is the run again from its seed with its parent's edits plus one more; branches run
 * one at a time, each in a vitest child (`run-child.ts`), with a progress figure the page polls.
 */
import type { ScheduleFile } from "../explore/schedule.js";
import type { Edit } from "./edits.js";
import type { TestTarget } from "./find-test.js";
import type { Recording } from "./recording.js";

/** How a branch's run ended, in a few words for the tree. */
export interface BranchOutcome {
  readonly ok: boolean;
  /** "passed", "Election Safety violated", or the first line of the failure. */
  readonly summary: string;
  /** The first step at which it differs from its parent's run (undefined: the root, or no difference). */
  readonly divergedStep?: number | undefined;
  readonly divergedTime?: number | undefined;
}

/** One node of the branch tree. */
export interface Branch {
  readonly id: number;
  readonly parent: number | null;
  readonly edits: readonly Edit[];
  state: "queued" | "running" | "done" | "error";
  /** Virtual ms reached so far (while running). */
  progressMs: number;
  /** The parent's virtual end (what the progress bar aims at). */
  readonly expectMs: number;
  recording?: Recording;
  outcome?: BranchOutcome;
  error?: string;
  /** Wall ms the run took. */
  wallMs?: number;
}

/** What a branch looks like to the page (without its recording). */
export type BranchSummary = Omit<Branch, "recording">;

/** Runs one test with a seed and edits, recorded (a child process in the server; in-process in tests). */
export type RecordRun = (edits: readonly Edit[], onProgress: (virtualMs: number) => void) => Promise<Recording>;

/** The session; see the module comment. */
export class DebugSession {
  private readonly branches: Branch[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly target: TestTarget,
    readonly seed: number,
    private readonly record: RecordRun,
    /** Edits the session starts from (`--edits`), usually none. */
    readonly baseEdits: readonly Edit[] = [],
    /** The explore fault schedule every run of the session replays (`--schedule`), if any. */
    readonly exploreSchedule?: ScheduleFile,
  ) {}

  /** Records the run itself (branch 0); resolves once it is recorded. */
  async start(): Promise<Branch> {
    const id = this.add(null, this.baseEdits, 0);
    await this.queue;
    return this.branches[id]!;
  }

  /** Queues a branch of `parent` with `edit` added; returns its id at once. */
  branch(parent: number, edits: readonly Edit[]): number {
    const p = this.branches[parent];
    if (p === undefined) throw new Error(`no branch ${parent}`);
    return this.add(parent, edits, p.recording?.outcome.virtualMs ?? 0);
  }

  /** The branch `id`, if any. */
  get(id: number): Branch | undefined {
    return this.branches[id];
  }

  /** Every branch, without recordings. */
  tree(): BranchSummary[] {
    return this.branches.map(({ recording: _r, ...rest }) => rest);
  }

  /** Resolves once every queued branch has run. */
  idle(): Promise<void> {
    return this.queue;
  }

  private add(parent: number | null, edits: readonly Edit[], expectMs: number): number {
    const b: Branch = { id: this.branches.length, parent, edits: [...edits], state: "queued", progressMs: 0, expectMs };
    this.branches.push(b);
    this.queue = this.queue.then(() => this.runBranch(b));
    return b.id;
  }

  private async runBranch(b: Branch): Promise<void> {
    b.state = "running";
    const started = Date.now();
    try {
      const rec = await this.record(b.edits, (ms) => (b.progressMs = ms));
      b.recording = rec;
      const parent = b.parent === null ? undefined : this.branches[b.parent]?.recording;
      const diverged = parent === undefined ? undefined : firstDifference(parent, rec);
      b.outcome = {
        ok: rec.outcome.ok,
        summary: rec.outcome.ok ? "passed" : rec.outcome.violation !== undefined ? `${rec.outcome.violation.property} violated` : firstLine(rec.outcome.error ?? "failed"),
        divergedStep: diverged?.step,
        divergedTime: diverged?.time,
      };
      b.progressMs = rec.outcome.virtualMs;
      b.state = "done";
    } catch (e) {
      b.state = "error";
      b.error = e instanceof Error ? e.message : String(e);
    }
    b.wallMs = Date.now() - started;
  }
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}

/** The first event at which two runs differ (time, kind or text), as the step of `b` it is in. */
export function firstDifference(a: Recording, b: Recording): { step: number; time: number } | undefined {
  const n = Math.min(a.events.length, b.events.length);
  for (let i = 0; i < n; i++) {
    const x = a.events[i]!;
    const y = b.events[i]!;
    if (x.time !== y.time || x.kind !== y.kind || x.text !== y.text) return { step: y.step, time: y.time };
  }
  if (a.events.length !== b.events.length) {
    const y = b.events[n] ?? b.events[n - 1];
    return y === undefined ? undefined : { step: y.step, time: y.time };
  }
  return undefined;
}
