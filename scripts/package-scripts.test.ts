import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadGrading } from "./lib/grading.js";

const ROOT = resolve(import.meta.dirname, "..");
const scripts = (JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("the test:<part> scripts", () => {
  for (const part of loadGrading(ROOT).parts.filter((p) => /^\d[A-Z]$/.test(p.part))) {
    it(`test:${part.part} runs the part's test files and leaves -t free (npm run test:${part.part} -- -t <name> works)`, () => {
      const cmd = scripts[`test:${part.part}`];
      expect(cmd).toBe(`vitest run --project lab ${part.files.join(" ")}`);
      expect(cmd).not.toMatch(/(^|\s)-t(\s|$)/);
    });
  }
});
