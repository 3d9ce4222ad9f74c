/**
 * The key/value server of Lab 2 (the `server.go` of `src/kvsrv`): one server, a map of strings,
 * and duplicate detection that makes every Put and Append execute exactly once however often the
 * Clerk has to send it.
 *
 * What it remembers per Clerk is what a retry needs and no more: the id of the Clerk's last Put or
 * Append and, for an Append, the value it answered. A Clerk sends its next request only after it
 * got the reply of the previous one, so a new request id frees the old reply (the handout's hint).
 * A Get changes nothing, so a retried Get simply reads again: it keeps nothing per Clerk.
 *
 * @module
 */
import { Service } from "../labrpc/index.js";
import type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";

/** The last Put or Append of one Clerk: its id and, for an Append, the old value it answered. */
interface LastRequest {
  readonly requestId: number;
  readonly reply: string;
}

/** The server. Its handlers run one at a time (no await inside), so it needs no lock. */
export class KVServer {
  private readonly data = new Map<string, string>();
  /** clientId -> that Clerk's last Put or Append. */
  private readonly lastRequest = new Map<number, LastRequest>();

  /** The current value of `args.key`, "" if none. */
  get(args: GetArgs): GetReply {
    return { value: this.data.get(args.key) ?? "" };
  }

  /** Sets the key's value, once per request id. */
  put(args: PutAppendArgs): PutAppendReply {
    if (this.seen(args) === undefined) {
      this.data.set(args.key, args.value);
      this.lastRequest.set(args.clientId, { requestId: args.requestId, reply: "" });
    }
    return { value: "" };
  }

  /** Appends to the key's value, once per request id, and answers the value before the append. */
  append(args: PutAppendArgs): PutAppendReply {
    const answered = this.seen(args);
    if (answered !== undefined) return { value: answered };
    const old = this.data.get(args.key) ?? "";
    this.data.set(args.key, old + args.value);
    this.lastRequest.set(args.clientId, { requestId: args.requestId, reply: old });
    return { value: old };
  }

  /**
   * The reply already given to this request, if it was executed. A request older than the Clerk's
   * last one is a late copy: the Clerk has its reply already and ignores this one.
   */
  private seen(args: PutAppendArgs): string | undefined {
    const last = this.lastRequest.get(args.clientId);
    if (last === undefined || args.requestId > last.requestId) return undefined;
    return args.requestId === last.requestId ? last.reply : "";
  }

  /** The labrpc service the tester registers: `KVServer.Get`, `KVServer.Put`, `KVServer.Append`. */
  services(): Service[] {
    return [
      new Service("KVServer", {
        Get: (args: GetArgs) => this.get(args),
        Put: (args: PutAppendArgs) => this.put(args),
        Append: (args: PutAppendArgs) => this.append(args),
      }),
    ];
  }
}

/** Starts the server (Go's `StartKVServer()`): it must return at once. */
export function startKVServer(): KVServer {
  return new KVServer();
}
