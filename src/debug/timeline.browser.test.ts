/**
 * The timeline page in a real browser (headless Chromium through playwright-core): it draws peer
 * rows, role bands and fault markers, shows a tooltip on hover, zooms, loads nothing from the
 * network, and throws no errors. Screenshots go to a temporary folder (printed), never the repo.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRaftTester } from "../raft/tester.js";
import { runSim } from "../sim/index.js";
import type { LogEntry } from "../runtime/log-types.js";
import { syntheticRun } from "./synthetic-run.js";
import { renderTimeline } from "./timeline.js";

const CHROMIUM = "/usr/bin/chromium";
const dir = mkdtempSync(join(tmpdir(), "raftlab-timeline-"));
let browser: Browser;

/** A short real run: elections, commits with snapshots, a crash and restart, a disconnected leader. */
async function realRun(seed: number): Promise<readonly LogEntry[]> {
  const result = await runSim(
    seed,
    async () => {
      const ts = makeRaftTester({ name: "TestTimelinePage", seed, wallMs: () => 0, note: () => {} }, { servers: 3, snapshot: true });
      try {
        ts.begin("Test (debug): a short run for the timeline page");
        const leader = await ts.checkOneLeader();
        for (let i = 0; i < 12; i++) await ts.one(100 + i, 3, true);
        const other = (leader + 1) % 3;
        ts.crash1(other);
        for (let i = 0; i < 4; i++) await ts.one(200 + i, 2, true);
        ts.start1(other);
        ts.connect(other);
        await ts.one(300, 3, true);
        ts.disconnect(leader);
        await ts.checkOneLeader();
        await ts.one(400, 2, true);
        ts.connect(leader);
        await ts.one(500, 3, true);
        ts.end();
      } finally {
        ts.cleanup();
      }
    },
    { log: true },
  );
  return result.logs;
}

async function open(html: string, file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const path = join(dir, file);
  writeFileSync(path, html);
  const page = await browser.newPage({ viewport: { width: 1360, height: 400 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("request", (r) => {
    if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url());
  });
  await page.goto(`file://${path}`);
  return { page, errors, requests };
}

/** Moves the mouse to the centre of the first element matching `selector`. */
async function hover(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  if (box === null) throw new Error(`${selector} has no box`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install chromium: apt-get install -y chromium`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe("timeline page in Chromium", () => {
  it("draws a real simulated Raft run: rows, role bands, faults, commits; hover and zoom work", async () => {
    const entries = await realRun(1);
    const { page, errors, requests } = await open(renderTimeline(entries, { title: "TestTimelinePage", subtitle: "seed 1 · real run" }), "real.html");

    expect(await page.locator("rect.peer-row").count()).toBe(3);
    expect(await page.locator("rect.tester-row").count()).toBe(1);
    expect(await page.locator("rect.band.leader").count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator("rect.band.follower").count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator("path.fault.crash").count()).toBe(1);
    expect(await page.locator("path.fault.restart").count()).toBe(1);
    expect(await page.locator("rect.down").count()).toBe(1);
    expect(await page.locator("path.fault.disconnect").count()).toBe(1);
    expect(await page.locator("rect.cut").count()).toBe(1);
    expect(await page.locator("path.commits").count()).toBe(3);
    expect(await page.locator("rect.ev.snapshot").count()).toBeGreaterThan(0);
    expect(await page.locator("path.ev.test").count()).toBeGreaterThan(0);

    // Hover over a leader band: role, term and interval.
    const tip = page.locator("#tip");
    expect(await tip.isVisible()).toBe(false);
    await hover(page, "rect.band.leader");
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toMatch(/leader, term \d+ .* – .*/);

    // Hover over the crash marker: what and when.
    await hover(page, "path.fault.crash");
    expect(await tip.textContent()).toMatch(/^crash S\d · \d+(\.\d+)? (ms|s) · T\d+\s+crash S\d$/);
    const shot = join(dir, "timeline-real.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`timeline screenshot (real run): ${shot}`);

    // Zoom in with the button, then the wheel: bands get wider.
    const width = async (): Promise<number> => Number(await page.locator("rect.band.leader").first().getAttribute("width"));
    const before = await width();
    await page.click("#zin");
    const afterButton = await width();
    expect(afterButton).toBeGreaterThan(before);
    await page.mouse.move(700, 200);
    await page.mouse.wheel(0, 300);
    expect(await width()).toBeLessThan(afterButton);
    await page.click("#zfit");
    expect(await width()).toBeCloseTo(before, 3);

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("draws partitions, errors, a failure line and RPC arrows (synthetic run)", async () => {
    const html = renderTimeline(syntheticRun(), {
      title: "TestSynthetic3C",
      subtitle: "seed 7 · failed",
      failure: { time: 6900, message: "expected one leader, got 2" },
    });
    const { page, errors, requests } = await open(html, "synthetic.html");
    expect(await page.locator("rect.peer-row").count()).toBe(3);
    expect(await page.locator("rect.band.candidate").count()).toBeGreaterThan(0);
    expect(await page.locator("rect.cut").count()).toBe(2);
    expect(await page.locator("line.fault.partition").count()).toBe(2);
    expect(await page.locator("path.ev.error").count()).toBe(1);
    expect(await page.locator("line.failure").count()).toBe(1);
    expect(await page.locator("line.rpc").count()).toBeGreaterThan(50);
    await page.click("#rpcs");
    expect(await page.locator("line.rpc").count()).toBe(0);

    await hover(page, "rect.cut >> nth=1");
    expect(await page.locator("#tip").textContent()).toContain("partition S1 S2 | S0");
    const shot = join(dir, "timeline-synthetic.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`timeline screenshot (synthetic run): ${shot}`);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
