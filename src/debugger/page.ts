/**
 * The step debugger's page: one HTML document with the page's script and style inline. Served by
 * the local server (the page then fetches recordings and asks for branches, with the token), or
 * exported as a self-contained file with one recording embedded, which opens from disk and loads
 * nothing (stepping, jumping and the views all work; branching needs the server).
 */
import { readFileSync } from "node:fs";
import { escapeHtml, jsonForHtml } from "porcupine";
import type { Recording } from "./recording.js";

/** What the page is for. */
export type PageMode =
  | { readonly mode: "server"; readonly token: string; readonly title: string }
  | { readonly mode: "static"; readonly recording: Recording; readonly title: string };

/** The page's script and style (plain browser JavaScript and CSS, read once). */
let assets: { js: string; css: string } | undefined;

function pageAssets(): { js: string; css: string } {
  assets ??= {
    js: readFileSync(new URL("./page/client.js", import.meta.url), "utf8"),
    css: readFileSync(new URL("./page/style.css", import.meta.url), "utf8"),
  };
  return assets;
}

/** The page's HTML. */
export function renderPage(p: PageMode): string {
  const { js, css } = pageAssets();
  const boot = p.mode === "server" ? { mode: "server", token: p.token } : { mode: "static", recording: p.recording };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(p.title)} · raftlab debugger</title>
<style>${css}</style>
</head>
<body>
<script type="application/json" id="boot">${jsonForHtml(boot)}</script>
<div id="app"></div>
<script>${js}</script>
</body>
</html>
`;
}
