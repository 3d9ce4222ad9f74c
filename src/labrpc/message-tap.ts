/**
 * The network's seam for tools that watch every message (the step debugger): a tool attaches a
 * {@link MessageTap} to the run (`sim.probes.attach(MESSAGE_TAP, tap)`) before the network is made,
 * and the network then decides each message's fate through the tap's wrapper of its fault policy
 * and tells it each request's arguments and each reply.
 *
 * A tap that only watches must delegate every decision to the policy it wraps, unchanged, and
 * draw no randomness: the run is then the same as without it. A tap may also change decisions
 * (drop this request, deliver that one at once): that is a different run, as a fault policy's.
 */
import type { ProbeKey } from "../sim/index.js";
import type { FaultPolicy, MessageInfo } from "./faults.js";

/** What the network tells a tap; see the module comment. */
export interface MessageTap {
  /** The policy the network uses in place of `policy` (at its creation, and at each `setFaultPolicy`). */
  wrap(policy: FaultPolicy): FaultPolicy;
  /** A call is being made on `msg` with `args` (the copy the server will get), in the caller's task. */
  sending(msg: MessageInfo, args: unknown): void;
  /** The reply of `msg` reached the caller (in the caller's task). */
  replied(msg: MessageInfo, reply: unknown): void;
}

/** The key a run's message tap is attached under. */
export const MESSAGE_TAP: ProbeKey<MessageTap> = { name: "labrpc message tap" };
