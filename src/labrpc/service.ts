import { currentTask, type SimTask } from "../sim/index.js";

/**
 * Services and servers: what the network delivers requests to.
 *
 * A {@link Service} is a named table of handlers (the Go version finds them by reflection; here they
 * are listed). A handler takes the (copied) arguments and returns the reply, or a promise of it; it
 * may await (sleep, wait on a channel) without blocking other handlers.
 */

/** A request handler: receives a private copy of the arguments, returns the reply. */
export type Handler = (args: never) => unknown;

/** Thrown (and failing the run) for a request to an unknown service or method. */
export class UnknownMethodError extends Error {
  override readonly name = "UnknownMethodError";
}

/** A named collection of handlers, e.g. `"Raft"` with `RequestVote`, `AppendEntries`. */
export class Service {
  private readonly handlers: ReadonlyMap<string, (args: unknown) => unknown>;

  /**
   * @param name the service name used in `"Service.Method"` strings
   * @param handlers method name to handler
   */
  constructor(
    readonly name: string,
    handlers: Readonly<Record<string, Handler>>,
  ) {
    if (name === "" || name.includes(".")) throw new Error(`Service name must be non-empty and contain no ".", got "${name}"`);
    this.handlers = new Map(Object.entries(handlers) as [string, (args: unknown) => unknown][]);
  }

  /**
   * A service whose handlers are the named methods of `receiver`, bound to it:
   * `Service.of("Raft", rf, ["RequestVote", "AppendEntries"])`.
   */
  static of<R extends object>(name: string, receiver: R, methods: ReadonlyArray<keyof R & string>): Service {
    const handlers: Record<string, Handler> = {};
    for (const m of methods) {
      const fn = receiver[m];
      if (typeof fn !== "function") throw new Error(`Service.of("${name}"): ${m} is not a method of the receiver`);
      handlers[m] = (fn as (a: unknown) => unknown).bind(receiver) as Handler;
    }
    return new Service(name, handlers);
  }

  /** The method names, sorted. */
  get methods(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** @internal Looks a handler up, or throws a clear error listing the known methods. */
  handler(method: string): (args: unknown) => unknown {
    const h = this.handlers.get(method);
    if (h === undefined) {
      throw new UnknownMethodError(
        `labrpc: unknown method "${method}" in service ${this.name}; expecting one of ${this.methods.join(", ")}`,
      );
    }
    return h;
  }
}

/**
 * A server: a set of services that share one RPC counter (kvraft puts `KVServer` and `Raft` on one).
 *
 * Handlers run as tasks of the node whose code created the server (testers create each server's
 * `Server` inside that server's node), so what a handler starts and draws belongs to that node,
 * not to the caller.
 */
export class Server {
  private readonly services = new Map<string, Service>();
  private count = 0;
  /** @internal The task context handlers run in (undefined outside a simulation). */
  readonly owner: SimTask | undefined = currentTask();

  /** Adds (or replaces) a service. */
  addService(service: Service): void {
    this.services.set(service.name, service);
  }

  /** Requests that reached this server. */
  getCount(): number {
    return this.count;
  }

  /**
   * @internal Finds the handler for `"Service.Method"` (split at the last "."), counting the request.
   * Throws {@link UnknownMethodError} naming the known services or methods.
   */
  lookup(svcMeth: string): (args: unknown) => unknown {
    this.count++;
    const dot = svcMeth.lastIndexOf(".");
    const serviceName = dot < 0 ? "" : svcMeth.slice(0, dot);
    const method = svcMeth.slice(dot + 1);
    const service = this.services.get(serviceName);
    if (service === undefined) {
      const known = [...this.services.values()].flatMap((s) => s.methods.map((m) => `${s.name}.${m}`));
      throw new UnknownMethodError(
        `labrpc: unknown service "${serviceName}" in "${svcMeth}"; expecting one of ${known.join(", ") || "(no services)"}`,
      );
    }
    return service.handler(method);
  }
}
