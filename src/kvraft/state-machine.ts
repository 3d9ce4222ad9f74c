/**
 * The replicated state machine of the KV service, without any IO: the key/value map, the table
 * that makes writes exactly-once, and the snapshot encoding. Every server applies the same
 * commands in the same (log) order to its own instance and so reaches the same state.
 *
 * @module
 */

/** A command as it travels through the Raft log (plain data). */
export type Command =
  | { readonly op: "get"; readonly key: string; readonly clientId: number; readonly requestId: number }
  | { readonly op: "put" | "append"; readonly key: string; readonly value: string; readonly clientId: number; readonly requestId: number }
  | {
      readonly op: "cas";
      readonly key: string;
      readonly expected: string;
      readonly value: string;
      readonly clientId: number;
      readonly requestId: number;
    };

/** What applying a command produced. */
export interface ApplyResult {
  /** "ErrNoKey" only for a get of a missing key. */
  readonly err: "OK" | "ErrNoKey";
  /** get: the value read ("" for a missing key); otherwise "". */
  readonly value: string;
  /** cas: whether the write happened; otherwise true. */
  readonly ok: boolean;
}

/** The last write a client had applied, and its reply (only a cas reply carries information). */
interface LastWrite {
  readonly requestId: number;
  readonly ok: boolean;
}

/** Whether `x` is a {@link Command} (what Raft hands back is `unknown`). */
export function isCommand(x: unknown): x is Command {
  if (typeof x !== "object" || x === null) return false;
  const c = x as Record<string, unknown>;
  if (typeof c["key"] !== "string" || typeof c["clientId"] !== "number" || typeof c["requestId"] !== "number") return false;
  switch (c["op"]) {
    case "get":
      return true;
    case "put":
    case "append":
      return typeof c["value"] === "string";
    case "cas":
      return typeof c["value"] === "string" && typeof c["expected"] === "string";
    default:
      return false;
  }
}

const OK_WRITE: ApplyResult = { err: "OK", value: "", ok: true };

/**
 * The KV map plus the duplicate table.
 *
 * Exactly-once: a Clerk sends one operation at a time and numbers them 1, 2, 3, …, so a write whose
 * `requestId` is not above the last one applied for its client is a retry (or a stale duplicate
 * log entry) and is not applied again; the remembered reply is returned instead. Gets are not
 * remembered: re-reading for a retried get still returns a value the key held during the get's
 * lifetime, so it stays linearizable, and the table stays small.
 */
export class KVStateMachine {
  private readonly data = new Map<string, string>();
  /**
   * The JSON of each key's `[key, value]` pair in {@link encode}, kept until the key is written:
   * the server snapshots every few entries and most keys have not changed since the last time, so
   * a snapshot re-encodes only what changed. Invariant: a key present here maps to the JSON of its
   * current pair in `data`.
   */
  private readonly pairJson = new Map<string, string>();
  private readonly lastWrite = new Map<number, LastWrite>();
  /** Log index of the last command applied (0: none). */
  lastApplied = 0;

  /** Applies `cmd`, the command at log index `index` (which must be `lastApplied + 1`). */
  apply(index: number, cmd: Command): ApplyResult {
    if (index !== this.lastApplied + 1) {
      throw new Error(`KVStateMachine.apply: index ${index} out of order (last applied ${this.lastApplied})`);
    }
    this.lastApplied = index;
    if (cmd.op === "get") {
      const value = this.data.get(cmd.key);
      return value === undefined ? { err: "ErrNoKey", value: "", ok: true } : { err: "OK", value, ok: true };
    }
    const last = this.lastWrite.get(cmd.clientId);
    if (last !== undefined && cmd.requestId <= last.requestId) {
      // Already applied. Only the latest reply can still be awaited: a Clerk never goes back.
      return { err: "OK", value: "", ok: cmd.requestId === last.requestId ? last.ok : false };
    }
    let ok = true;
    switch (cmd.op) {
      case "put":
        this.set(cmd.key, cmd.value);
        break;
      case "append":
        this.set(cmd.key, (this.data.get(cmd.key) ?? "") + cmd.value);
        break;
      case "cas":
        ok = (this.data.get(cmd.key) ?? "") === cmd.expected;
        if (ok) this.set(cmd.key, cmd.value);
        break;
    }
    this.lastWrite.set(cmd.clientId, { requestId: cmd.requestId, ok });
    return ok ? OK_WRITE : { err: "OK", value: "", ok };
  }

  private set(key: string, value: string): void {
    this.data.set(key, value);
    this.pairJson.delete(key);
  }

  /**
   * The reply to a write that this state machine has already applied, or undefined if it has not
   * (a server can then answer a retry at once, without going through the log again).
   */
  appliedReply(clientId: number, requestId: number): ApplyResult | undefined {
    const last = this.lastWrite.get(clientId);
    if (last === undefined || requestId > last.requestId) return undefined;
    return { err: "OK", value: "", ok: requestId === last.requestId ? last.ok : false };
  }

  /** The value of `key` (undefined if missing); for tests. */
  get(key: string): string | undefined {
    return this.data.get(key);
  }

  /** Number of keys; for tests. */
  get size(): number {
    return this.data.size;
  }

  /**
   * The whole state as bytes: `[lastApplied, [[key, value]…], [[clientId, requestId, ok?1:0]…]]`
   * as UTF-8 JSON. Arrays rather than objects keep it compact (TestSnapshotSize4B allows 500
   * bytes); map order is insertion order, so equal states encode to equal bytes.
   */
  encode(): Uint8Array {
    const pairs: string[] = [];
    for (const [key, value] of this.data) {
      let json = this.pairJson.get(key);
      if (json === undefined) this.pairJson.set(key, (json = JSON.stringify([key, value])));
      pairs.push(json);
    }
    const dup: [number, number, number][] = [...this.lastWrite].map(([c, w]) => [c, w.requestId, w.ok ? 1 : 0]);
    // The same text as JSON.stringify([lastApplied, [[key, value]…], dup]), assembled from the pairs.
    return new TextEncoder().encode(`[${this.lastApplied},[${pairs.join(",")}],${JSON.stringify(dup)}]`);
  }

  /** Rebuilds a state machine from {@link encode}'s bytes; empty bytes give an empty one. */
  static decode(bytes: Uint8Array): KVStateMachine {
    const sm = new KVStateMachine();
    if (bytes.length === 0) return sm;
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!isSnapshot(parsed)) throw new Error("KVStateMachine.decode: not a KV snapshot");
    const [lastApplied, kv, dup] = parsed;
    sm.lastApplied = lastApplied;
    for (const [k, v] of kv) sm.set(k, v);
    for (const [c, r, ok] of dup) sm.lastWrite.set(c, { requestId: r, ok: ok === 1 });
    return sm;
  }
}

type SnapshotData = [number, [string, string][], [number, number, number][]];

function isSnapshot(x: unknown): x is SnapshotData {
  if (!Array.isArray(x) || x.length !== 3 || typeof x[0] !== "number") return false;
  const [, kv, dup] = x as unknown[];
  return (
    Array.isArray(kv) &&
    kv.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === "string" && typeof e[1] === "string") &&
    Array.isArray(dup) &&
    dup.every((e) => Array.isArray(e) && e.length === 3 && e.every((n) => typeof n === "number"))
  );
}
