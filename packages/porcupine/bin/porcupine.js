#!/usr/bin/env node
// The `porcupine` command. The CLI is compiled from src/cli.ts into dist/ by the build
// (`npm run build`; in the repository `npm ci` runs it through the `prepare` script).
import { existsSync, readdirSync, statSync } from "node:fs";

const dist = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(dist)) {
  process.stderr.write("porcupine: the package is not built (dist/cli.js is missing); run `npm run build` in the repository\n");
  process.exit(2);
}
// In a checkout, say when the sources changed after the last build (a published package has no src/).
const src = new URL("../src/", import.meta.url);
if (existsSync(src)) {
  const newest = (dir, ext) =>
    Math.max(0, ...readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(ext)).map((f) => statSync(new URL(String(f), dir)).mtimeMs));
  const stale = newest(src, ".ts") > newest(new URL("../dist/", import.meta.url), ".js");
  if (stale) process.stderr.write("porcupine: warning: src/ is newer than dist/; run `npm run build` to check with the current sources\n");
}
const { main } = await import(dist.href);
process.exitCode = await main(process.argv.slice(2));
