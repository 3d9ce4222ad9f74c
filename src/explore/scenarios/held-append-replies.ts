/**
 * A scenario's own hold on AppendEntries replies: the replies of one follower to one leader's
 * requests of one term are held (all of them, success or not) until the scenario releases them, at
 * the moment it chooses. It sits in front of the nemesis as the network's fault policy and leaves
 * every other decision to it, unchanged (it draws no randomness), so a run's other faults are what
 * the nemesis would put in anyway.
 *
 * A reply that waits in the network and arrives much later is what an asynchronous network may
 * produce; a correct leader handles a reply under the term of the request it answers, and ignores
 * one of an earlier term. A leader that takes it as fresh counts the follower for entries it may no
 * longer hold.
 */
import type { FaultPolicy, MessageInfo, Network, NetworkConditions } from "../../labrpc/index.js";

/** Whose replies are held: `follower`'s replies to `leader`'s AppendEntries of `term`. */
export interface HeldLink {
  readonly leader: number;
  readonly follower: number;
  readonly term: number;
}

const APPEND = "Raft.AppendEntries";

/** A number field of a request's arguments, if it has one (a student's may name theirs otherwise). */
function field(args: unknown, name: string): number | undefined {
  const v = typeof args === "object" && args !== null ? (args as Record<string, unknown>)[name] : undefined;
  return typeof v === "number" ? v : undefined;
}

/** The hold; see the module comment. Install with {@link HeldAppendReplies.install}, after the nemesis. */
export class HeldAppendReplies implements FaultPolicy {
  /** The link whose replies are held from now on, if any. */
  private link: HeldLink | undefined;
  /** Requests of the held link delivered to the follower (their replies are held). */
  private readonly marked = new WeakSet<MessageInfo>();
  /** Releases of the replies held so far. */
  private waiting: (() => void)[] = [];

  constructor(private readonly inner: FaultPolicy) {}

  /** Puts this hold in front of the network's policy (the nemesis, already installed). */
  install(net: Network): void {
    net.setFaultPolicy(this);
  }

  /** Holds the replies of `link` from now on (only one link at a time). */
  hold(link: HeldLink): void {
    if (this.link !== undefined) throw new Error(`already holding S${this.link.follower}'s replies to S${this.link.leader}: release them first`);
    this.link = link;
  }

  /** Delivers every reply held, now, and holds no more; returns how many there were. */
  release(): number {
    const released = this.waiting;
    this.waiting = [];
    this.link = undefined;
    for (const r of released) r();
    return released.length;
  }

  /** How many replies are held now. */
  get count(): number {
    return this.waiting.length;
  }

  unreachableDelay(msg: MessageInfo, net: NetworkConditions): number {
    return this.inner.unreachableDelay(msg, net);
  }

  requestDelay(msg: MessageInfo, net: NetworkConditions): number {
    return this.inner.requestDelay(msg, net);
  }

  dropRequest(msg: MessageInfo, net: NetworkConditions): boolean {
    return this.inner.dropRequest(msg, net);
  }

  deliverAgain(msg: MessageInfo, net: NetworkConditions): number {
    return this.inner.deliverAgain?.(msg, net) ?? 0;
  }

  requestDelivered(msg: MessageInfo, args: unknown, keepCopy: () => () => void): void {
    const link = this.link;
    if (link !== undefined && msg.svcMeth === APPEND && msg.serverName === link.follower && field(args, "leaderId") === link.leader && field(args, "term") === link.term) {
      this.marked.add(msg);
    }
    this.inner.requestDelivered?.(msg, args, keepCopy);
  }

  holdReply(msg: MessageInfo, net: NetworkConditions): Promise<void> | undefined {
    // Marked requests' replies are held by us alone, whatever the nemesis would do with them.
    if (this.marked.has(msg) && this.link !== undefined) return new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.inner.holdReply?.(msg, net);
  }

  afterHandler(msg: MessageInfo, net: NetworkConditions, reply: unknown): void {
    this.inner.afterHandler?.(msg, net, reply);
  }

  dropReply(msg: MessageInfo, net: NetworkConditions): boolean {
    return this.inner.dropReply(msg, net);
  }

  replyDelay(msg: MessageInfo, net: NetworkConditions): number {
    return this.inner.replyDelay(msg, net);
  }
}
