/**
 * The step debugger end to end, in headless Chromium (playwright-core), on a planted bug: the
 * mutant `vote-twice-in-a-term` (a voter grants its vote to every candidate of a term) in a scratch
 * copy of the repository, whose explore scenario ExploreRaftElection3A fails with seed 16 (Election Safety).
 * A student's session: `npm run debug` on that seed, step to the violation, branch by dropping the
 * vote that made the second leader, see the branch pass, export it as a kept test and run it under
 * vitest (it passes), and open the exported page from disk (no server, no network). Screenshots go
 * to a temporary folder (printed), never the repo.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MUTANTS } from "../explore/mutants/catalog.js";
import { plantInScratch, removeScratch } from "../explore/mutants/plant.js";

const CHROMIUM = "/usr/bin/chromium";
/**
 * The run the scenario tells: with the planted bug, ExploreRaftElection3A on this seed elects two leaders of
 * one term (S<first>, then S<second> on a second vote from a peer that had voted already), and
 * dropping the vote reply that made the second one lets the run pass.
 */
const STORY = { seed: 16, first: 1, second: 2 } as const;
const shots = mkdtempSync(join(tmpdir(), "raftlab-debugger-"));
let browser: Browser;
let scratch: string;
let server: ChildProcess | undefined;
let url: string;

/** Starts `npm run debug` (its script, through tsx) in the scratch copy; resolves with the printed URL. */
function startDebugger(root: string, args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(root, "node_modules/.bin/tsx"), ["scripts/debug.ts", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    server = child;
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the debugger printed no URL in time:\n${out}`)), 180_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolvePromise(m[1]!);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the debugger exited (${code}):\n${out}`));
    });
  });
}

async function open(address: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(address);
  await page.waitForFunction("window.__debuggerReady === true", null, { timeout: 30_000 });
  return { page, errors, requests };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

beforeAll(async () => {
  const mutant = MUTANTS.find((m) => m.id === "vote-twice-in-a-term")!;
  scratch = plantInScratch(resolve("."), mutant);
  url = await startDebugger(scratch, ["ExploreRaftElection3A", "--seed", String(STORY.seed)]);
  browser = await chromium.launch({ executablePath: CHROMIUM });
  console.log(`debugger screenshots: ${shots}`);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (server !== undefined && server.exitCode === null) server.kill("SIGTERM");
  if (scratch !== undefined) removeScratch(scratch);
});

describe("npm run debug, in a browser", () => {
  it("finds a planted bug, branches around it, and keeps the branch as a test that passes", async () => {
    const { page, errors } = await open(url);
    // It opens at the failure: the monitor's verdict in the header, the property crossed out.
    await expect.poll(() => page.textContent("#outcome")).toBe("Election Safety violated");
    await shot(page, "1-opened-at-the-failure");

    // Keys: step back and forward; the help.
    const cursor = (): Promise<string | null> => page.textContent("#cursor");
    const atFailure = await cursor();
    await page.keyboard.press("k");
    expect(await cursor()).not.toBe(atFailure);
    await page.keyboard.press("j");
    expect(await cursor()).toBe(atFailure);
    await page.keyboard.press("?");
    expect(await page.isVisible("#help")).toBe(true);
    await page.keyboard.press("Escape");

    // Back to the start: every property holds there; then jump to the first violation.
    await page.keyboard.press("Home");
    expect(await page.locator("#props span.broken").count()).toBe(0);
    await page.keyboard.press("v");
    expect(await page.locator("#list .row.cur").getAttribute("class")).toContain("k-violation");
    expect(await page.locator("#props span.broken").textContent()).toBe("Election Safety");
    // What this step changed is highlighted: S3 became the second leader of term 1.
    expect(await page.textContent(`#peers .peer[data-peer="${STORY.second}"] .role.changed`)).toBe("leader");
    expect(await page.textContent(`#peers .peer[data-peer="${STORY.first}"] h3`)).toContain("leader");
    await shot(page, "2-at-the-violation");

    // The cause: the vote reply that reached the second leader just before. Select it and drop it.
    const cause = page.locator("#why a.cause", { hasText: "RequestVote reply" }).first();
    expect(await cause.textContent()).toMatch(/voteGranted: true/);
    await cause.click();
    expect(await page.textContent("#edit")).toContain("The reply of Raft.RequestVote");
    await page.click("#act-drop");
    await page.waitForSelector('#tree .node[data-branch="1"][data-state="done"]', { timeout: 120_000 });
    await shot(page, "3-branch-passed");
    expect(await page.textContent('#tree .node[data-branch="1"] .badge')).toBe("passed");
    expect(await page.textContent('#tree .node[data-branch="1"]')).toMatch(/diverged at step \d+/);
    // The page now shows the branch; its URL names it and its edit.
    await expect.poll(() => page.textContent("#outcome")).toBe("passed");
    await expect.poll(() => page.url()).toMatch(/#b=1&e=\d+&edits=/);

    // Export the branch as a kept test, and run it under vitest in the scratch copy: it passes.
    const href = await page.getAttribute("#exp-test", "href");
    const test = await page.evaluate((h) => fetch(h!).then((r) => r.text()), href);
    expect(test).toContain(`it("ExploreRaftElection3A_seed${STORY.seed}_branch"`);
    mkdirSync(join(scratch, "src/raft/kept"), { recursive: true });
    const keptFile = `src/raft/kept/ExploreRaftElection3A_seed${STORY.seed}_branch.test.ts`;
    writeFileSync(join(scratch, keptFile), test);
    const run = spawnSync(join(scratch, "node_modules/.bin/vitest"), ["run", "--project", "lab", "--reporter=dot", keptFile], { cwd: scratch, encoding: "utf8", timeout: 300_000 });
    expect(run.stdout + run.stderr).toMatch(/1 passed/);
    expect(run.status).toBe(0);

    // The same kept test without its edit fails: the branch, not luck, made it pass.
    writeFileSync(join(scratch, keptFile), test.replace(/const EDITS: readonly Edit\[\] = \[[\s\S]*?\n\];/, "const EDITS: readonly Edit[] = [];"));
    const unedited = spawnSync(join(scratch, "node_modules/.bin/vitest"), ["run", "--project", "lab", "--reporter=dot", keptFile], { cwd: scratch, encoding: "utf8", timeout: 300_000 });
    expect(unedited.stdout + unedited.stderr).toMatch(/Election Safety violated/);
    expect(unedited.status).not.toBe(0);

    // The exported page opens from disk with no server and loads nothing.
    const htmlHref = await page.getAttribute("#exp-html", "href");
    const html = await page.evaluate((h) => fetch(h!).then((r) => r.text()), htmlHref);
    const file = join(shots, "branch.html");
    writeFileSync(file, html);
    const exported = await open(`file://${file}`);
    expect(await exported.page.textContent("#outcome")).toBe("passed");
    await exported.page.keyboard.press("Home");
    await exported.page.keyboard.press("j");
    expect(await exported.page.textContent("#cursor")).toMatch(/^event #\d+ of/);
    expect(await exported.page.isDisabled("#act-crash")).toBe(true);
    await shot(exported.page, "4-exported-page");
    expect(exported.requests.filter((r) => !r.startsWith("file://") && !r.startsWith("data:"))).toEqual([]);
    expect(exported.errors).toEqual([]);
    expect(errors).toEqual([]);
  }, 600_000);

  it("refuses a page without the token", async () => {
    const page = await browser.newPage();
    const response = await page.goto(url.replace(/\?token=.*/, ""));
    expect(response?.status()).toBe(401);
    expect(await page.textContent("body")).toContain("refused");
  });
});
