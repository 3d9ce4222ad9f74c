#!/usr/bin/env node
// The `porcupine` command. The CLI itself is compiled from src/cli.ts into dist/ by the build
// (`npm run build`, run by `npm ci` through the repository's `prepare` script).
let cli;
try {
  cli = await import("../dist/cli.js");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  process.stderr.write("porcupine: the package is not built (dist/cli.js is missing); run `npm run build` in the repository\n");
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
