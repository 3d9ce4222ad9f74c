import { TestCluster } from "../src/cluster/test-cluster.js";
import { httpCall } from "../src/cluster/http-client.js";
import { Agent } from "node:http";
const c = await TestCluster.start(3, process.argv.slice(2));
try {
  const { leader } = await c.waitForLeader();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const lat: number[] = []; const end = performance.now() + 6000; let i = 0; const slow: string[] = [];
  while (performance.now() < end) { const t = performance.now(); await httpCall(c.httpAddrs[leader - 1]!, "/put", { method: "POST", body: { key: `k${i++ % 1000}`, value: "v".repeat(100) }, agent }); const d = performance.now() - t; lat.push(d); if (d > 20) slow.push(`${i}:${d.toFixed(0)}`); }
  lat.sort((a, b) => a - b); const q = (x: number) => lat[Math.floor(x * lat.length)]!.toFixed(1);
  console.log("n", lat.length, "p50", q(0.5), "p75", q(0.75), "p90", q(0.9), "p95", q(0.95), "p99", q(0.99), "max", lat.at(-1)!.toFixed(0), "slow>20ms", slow.length, slow.slice(0, 30).join(" "));
} finally { await c.destroy(); }
