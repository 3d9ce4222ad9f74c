/**
 * Opens visualizer pages in headless Chromium (playwright-core, system /usr/bin/chromium) and
 * checks what is drawn and that "jump to first error" works. Run with
 * `npx vitest run --project browser`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addAnnotations,
  checkEventsVerbose,
  checkOperationsVerbose,
  visualizeToFile,
  type LinearizationInfo,
  type Operation,
} from "porcupine";
import { kvModel, parseKvLog } from "porcupine/models";
import { register, type RegInput } from "./register-model.js";

const CHROMIUM = "/usr/bin/chromium";
const KV_BAD = fileURLToPath(new URL("../../../testdata/porcupine/kv/c01-bad.txt", import.meta.url));

/**
 * 80 sequential puts by 4 clients (one of them labelled with markup), then a get of a value
 * never written: the error is far to the right, so jumping to it has to scroll.
 */
function longIllegalHistory(): Operation<RegInput, number>[] {
  const h: Operation<RegInput, number>[] = [];
  for (let i = 0; i < 80; i++) {
    const input: RegInput = { op: "put", value: i + 1 };
    if (i === 3) input.label = "</script><img src=x onerror=window.__xss=1>";
    h.push({ clientId: i % 4, input, output: 0, call: 10 * i, return: 10 * i + 12 });
  }
  h.push({ clientId: 2, input: { op: "get", value: 0 }, output: 999, call: 800, return: 805, metadata: "req #81" });
  return h;
}

function opCount(info: LinearizationInfo): number {
  return info.partitions.reduce((n, p) => n + p.history.length, 0);
}

/** The little of the DOM that the page-side callbacks use (the tsconfig has no DOM lib). */
interface MiniElement {
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number };
}
interface MiniDocument {
  querySelector(selector: string): MiniElement | null;
  getElementById(id: string): MiniElement | null;
}

let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "porcupine-viz-browser-"));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
});

/** Opens a page file, failing on any page error or network request other than the file. */
async function open(file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("request", (r) => {
    if (!r.url().startsWith("file://")) errors.push(`network request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector("body[data-ready=true]");
  return { page, errors };
}

/** Whether `selector`'s first match is inside the visible part of `#timeline`. */
function inTimelineView(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const doc = (globalThis as unknown as { document: MiniDocument }).document;
    const m = doc.querySelector(sel);
    const t = doc.getElementById("timeline");
    if (!m || !t) return false;
    const r = m.getBoundingClientRect();
    const v = t.getBoundingClientRect();
    return r.left >= v.left + 100 && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom;
  }, selector);
}

describe("visualizer in headless Chromium", () => {
  it("draws every operation and the error, and jumps to the first error", async () => {
    const history = longIllegalHistory();
    const { result, info } = checkOperationsVerbose(register, history);
    expect(result).toBe("illegal");
    addAnnotations(info, [
      { tag: "Test Framework", start: 100, end: 400, description: "partition [0 1] [2 3]", details: "healed at 400" },
      { tag: "Server 1", start: 250, description: "became leader", backgroundColor: "#f59e0b" },
      { clientId: 2, start: 790, end: 799, description: "retry", backgroundColor: "#fde68a" },
    ]);
    const file = path.join(dir, "register-bad.html");
    visualizeToFile(register, info, file, { title: "register: a get of a value never written" });
    const { page, errors } = await open(file);

    expect(await page.locator("#verdict").getAttribute("data-verdict")).toBe("illegal");
    expect(await page.locator(".op").count()).toBe(history.length);
    expect(await page.locator(".annotation").count()).toBe(3);
    expect(await page.locator('.row-label.tag').allTextContents()).toEqual(["Server 1", "Test Framework"]);
    const marker = '.lin-longest .error-marker[data-op-id="80"]';
    expect(await page.locator(marker).count()).toBe(1);
    expect(await page.locator('.op.op-illegal[data-op-id="80"]').count()).toBe(1);

    // The markup in a description is text, not HTML.
    expect(await page.locator('.op[data-op-id="3"] text').textContent()).toContain("</script>");
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("img").count()).toBe(0);

    // Hover: the tooltip shows the states around the op.
    await page.locator('.op[data-op-id="1"]').hover();
    await page.locator("#tooltip").waitFor({ state: "visible", timeout: 5000 });
    expect(await page.locator("#tooltip").textContent()).toContain("Previous state: value=1");
    expect(await page.locator("#tooltip").textContent()).toContain("New state: value=2");
    await page.mouse.move(5, 5);

    // The error is off-screen to the right; jumping scrolls to it and highlights it.
    expect(await inTimelineView(page, marker)).toBe(false);
    const before = await page.locator("#timeline").evaluate((t) => t.scrollLeft);
    await page.click("#jump-to-error");
    expect(await page.locator(marker).getAttribute("class")).toMatch(/focused/);
    await page.waitForFunction(
      (sel) => {
        const doc = (globalThis as unknown as { document: MiniDocument }).document;
        const m = doc.querySelector(sel);
        const t = doc.getElementById("timeline");
        if (!m || !t) return false;
        const r = m.getBoundingClientRect();
        const v = t.getBoundingClientRect();
        return r.left >= v.left + 100 && r.right <= v.right;
      },
      marker,
      { timeout: 5000 },
    );
    expect(await page.locator("#timeline").evaluate((t) => t.scrollLeft)).toBeGreaterThan(before);
    expect(await inTimelineView(page, marker)).toBe(true);
    // The last op of the longest prefix is selected and the inspector lists the states.
    expect(await page.locator('.op.focus[data-op-id="79"]').count()).toBe(1);
    await page.locator("#inspector").waitFor({ state: "visible", timeout: 5000 });
    expect(await page.locator("#inspector tr.bad").textContent()).toContain("get() -> 999");
    expect(await page.locator("#inspector tr.bad").textContent()).toContain("value=80");
    await page.waitForTimeout(400);
    const shot = path.join(dir, "register-bad.png");
    await page.screenshot({ path: shot });
    console.log(`visualizer screenshot: ${shot}`);

    // Zoom out shrinks the drawing.
    const width = async (): Promise<number> => Number(await page.locator("svg.partition-svg").first().getAttribute("width"));
    const w0 = await width();
    await page.click("#zoom-out");
    expect(await width()).toBeLessThan(w0);
    await page.click("#zoom-reset");
    expect(await width()).toBe(w0);

    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows the kv c01-bad history with the illegal partition first", async () => {
    const events = parseKvLog(fs.readFileSync(KV_BAD, "utf8"), KV_BAD);
    const { result, info } = checkEventsVerbose(kvModel, events);
    expect(result).toBe("illegal");
    const file = path.join(dir, "kv-c01-bad.html");
    visualizeToFile(kvModel, info, file, { title: "kv c01-bad" });
    const { page, errors } = await open(file);

    expect(await page.locator("#verdict").getAttribute("data-verdict")).toBe("illegal");
    expect(await page.locator(".op").count()).toBe(opCount(info));
    const illegal = info.partitions.flatMap((p, i) => (p.result === "illegal" ? [String(i)] : []));
    expect(illegal.length).toBeGreaterThan(0);
    const sections = await page.locator("section.partition").evaluateAll((els) =>
      els.map((e) => [e.getAttribute("data-partition"), e.getAttribute("data-verdict")]),
    );
    expect(sections.slice(0, illegal.length)).toEqual(illegal.map((i) => [i, "illegal"]));
    expect(await page.locator("section.partition[data-verdict=illegal] .error-marker").count()).toBeGreaterThan(0);

    await page.click("#jump-to-error");
    await page.locator(`section.partition[data-partition="${illegal[0]}"] .error-marker.focused`).first().waitFor({ state: "visible", timeout: 5000 });
    const shot = path.join(dir, "kv-c01-bad.png");
    await page.screenshot({ path: shot });
    console.log(`visualizer screenshot: ${shot}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("with openAtFirstError, opens at the first error by itself", async () => {
    const events = parseKvLog(fs.readFileSync(KV_BAD, "utf8"), KV_BAD);
    const { info } = checkEventsVerbose(kvModel, events);
    const file = path.join(dir, "kv-c01-bad-opened.html");
    visualizeToFile(kvModel, info, file, { title: "kv c01-bad", openAtFirstError: true });
    const { page, errors } = await open(file);
    await page.waitForSelector("body[data-jumped=true]", { timeout: 5000 });
    expect(await page.locator("section.partition[data-verdict=illegal] .error-marker.focused").count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("renders an ok history and an empty one without errors", async () => {
    const ok = checkOperationsVerbose(register, [
      { clientId: 0, input: { op: "put", value: 1 }, output: 0, call: 0, return: 10 },
      { clientId: 1, input: { op: "get", value: 0 }, output: 1, call: 5, return: 15 },
    ]);
    expect(ok.result).toBe("ok");
    const okFile = path.join(dir, "ok.html");
    visualizeToFile(register, ok.info, okFile);
    const a = await open(okFile);
    expect(await a.page.locator("#verdict").getAttribute("data-verdict")).toBe("ok");
    expect(await a.page.locator(".op").count()).toBe(2);
    expect(await a.page.locator(".error-marker").count()).toBe(0);
    expect(await a.page.locator("#jump-to-error").isDisabled()).toBe(true);
    expect(a.errors).toEqual([]);
    await a.page.close();

    const emptyFile = path.join(dir, "empty.html");
    visualizeToFile(register, { partitions: [], annotations: [] }, emptyFile);
    const b = await open(emptyFile);
    expect(await b.page.locator("#verdict").getAttribute("data-verdict")).toBe("ok");
    expect(await b.page.locator(".op").count()).toBe(0);
    expect(b.errors).toEqual([]);
    await b.page.close();
  });
});
