import { createServer, type AddressInfo } from "node:net";

/**
 * `n` loopback ports that were free a moment ago (for tests and the benchmark): each is bound (port 0, so the OS picks it),
 * all at once so they differ, then released. Another program could take one in between; on a
 * test machine's loopback that is rare, and a node that finds its port taken says so.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
