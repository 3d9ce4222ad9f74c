import type { ClientEnd, Server } from "../labrpc/index.js";
import { copySendable } from "./sendable.js";

/**
 * A {@link ClientEnd} that calls a server in this process: a node's way to reach its own
 * services through the same interface as its peers'. Arguments and replies are copied (and
 * checked) as labrpc's codec copies them (`copySendable`), so caller and handler never share
 * objects, as over a network.
 */
export class LocalEnd implements ClientEnd {
  constructor(private readonly server: Server) {}

  async call<Reply = unknown>(svcMeth: string, args: unknown): Promise<Reply | undefined> {
    const handler = this.server.lookup(svcMeth);
    const reply = await handler(copySendable(args, `${svcMeth} args`));
    return copySendable(reply as Reply, `${svcMeth} reply`);
  }
}
