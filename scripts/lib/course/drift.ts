/**
 * Keeps the skeletons and the reference from drifting apart. The contract between a student's
 * files and the rest is what the harness (every file that is not the student's) imports from them:
 *
 * 1. every name the harness imports from a student-owned module is exported by the skeleton and by
 *    the reference, with the same kind (a value, a type, a class);
 * 2. for those names, the signatures match: a function's or annotated constant's type, and each
 *    public member that both classes have (parameter types, return type, property type);
 * 3. the harness type-checks against the skeletons (checked by compiling a handout's tree with the
 *    repository's strict tsconfig; the repository's own `npm run typecheck` checks it against the
 *    reference).
 *
 * A harness import from a solution file that has no skeleton is reported too: the handout would
 * not compile.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveRelative } from "../handout-manifest.js";
import { exportsOf, importsOf, type ExportedName } from "./api-surface.js";
import type { Classification } from "./config.js";

/** One name of the contract: who imports it, from which student-owned file. */
export interface ContractName {
  readonly file: string;
  readonly name: string;
  readonly typeOnly: boolean;
  readonly importers: readonly string[];
}

/** The names harness files import from student-owned files, by file. */
export function contract(root: string, c: Classification, read: (path: string) => string = (p) => readFileSync(join(root, p), "utf8")): ContractName[] {
  const files = new Set(c.files);
  const solution = new Set(c.solution);
  const byKey = new Map<string, { file: string; name: string; typeOnly: boolean; importers: string[] }>();
  for (const h of c.harness.filter((f) => /\.(ts|mts)$/.test(f))) {
    for (const imp of importsOf(read(h), h)) {
      if (!imp.spec.startsWith(".")) continue;
      const target = resolveRelative(h, imp.spec, files);
      if (target === undefined || !solution.has(target)) continue;
      const k = `${target}\u0000${imp.name}`;
      const entry = byKey.get(k) ?? { file: target, name: imp.name, typeOnly: true, importers: [] };
      entry.typeOnly &&= imp.typeOnly;
      if (!entry.importers.includes(h)) entry.importers.push(h);
      byKey.set(k, entry);
    }
  }
  return [...byKey.values()].sort((a, b) => (a.file + a.name).localeCompare(b.file + b.name));
}

/**
 * Checks rules 1 and 2 for the repository at `root`; returns one message per problem (empty: no
 * drift). `skeletonText` may stand in for a skeleton's content (for tests).
 */
export function checkDrift(root: string, c: Classification, skeletonText?: (path: string) => string | undefined): string[] {
  const read = (p: string): string => readFileSync(join(root, p), "utf8");
  const problems: string[] = [];
  const names = contract(root, c, read);
  const exportsCache = new Map<string, Map<string, ExportedName>>();
  const exported = (path: string, text: string): Map<string, ExportedName> => {
    let m = exportsCache.get(path);
    if (m === undefined) exportsCache.set(path, (m = new Map(exportsOf(text, path).map((e) => [e.name, e]))));
    return m;
  };
  for (const n of names) {
    const who = n.importers.join(", ");
    const skeletonPath = c.skeletons.get(n.file);
    if (skeletonPath === undefined) {
      problems.push(`${who} import${n.importers.length === 1 ? "s" : ""} ${n.name} from ${n.file}, a solution file with no skeleton: give it one, or make it the tester's`);
      continue;
    }
    const skText = skeletonText?.(skeletonPath) ?? read(skeletonPath);
    const ref = exported(n.file, read(n.file)).get(n.name) ?? viaStar(exported(n.file, read(n.file)), n.name);
    const sk = exported(skeletonPath, skText).get(n.name) ?? viaStar(exported(skeletonPath, skText), n.name);
    if (n.name === "*") continue; // a namespace import: its names are checked where they are used
    if (ref === undefined) {
      problems.push(`${who} import${n.importers.length === 1 ? "s" : ""} ${n.name} from ${n.file}, which the reference does not export`);
      continue;
    }
    if (sk === undefined) {
      problems.push(`${skeletonPath} does not export ${n.name}, which ${who} import${n.importers.length === 1 ? "s" : ""} (the reference ${n.file} does)`);
      continue;
    }
    if (!sameKind(ref, sk, n.typeOnly)) {
      problems.push(`${n.file} exports ${n.name} as a ${ref.kind} but ${skeletonPath} as a ${sk.kind}`);
      continue;
    }
    if (ref.signature !== undefined && sk.signature !== undefined && ref.signature !== sk.signature) {
      problems.push(`${n.name}: the reference ${n.file} has ${ref.signature}, the skeleton ${skeletonPath} ${sk.signature}`);
    }
    if (ref.members !== undefined && sk.members !== undefined) {
      for (const [member, refSig] of ref.members) {
        const skSig = sk.members.get(member);
        if (skSig !== undefined && skSig !== refSig) {
          problems.push(`${n.name}.${member}: the reference ${n.file} has ${refSig}, the skeleton ${skeletonPath} ${skSig}`);
        }
      }
    }
  }
  return problems;
}

/** A name re-exported with `export * from`: unknown here, but present (the compiler checks it). */
function viaStar(exports: ReadonlyMap<string, ExportedName>, name: string): ExportedName | undefined {
  const star = exports.get("*");
  return star === undefined ? undefined : { name, kind: star.kind, from: star.from ?? "" };
}

/**
 * Same kind, where it matters: a value import needs a value (or class) on both sides, and the same
 * kind when both declare it themselves; a type-only import is left to the compiler.
 */
function sameKind(ref: ExportedName, sk: ExportedName, typeOnly: boolean): boolean {
  if (typeOnly) return true;
  const isValue = (e: ExportedName): boolean => e.kind !== "type";
  if (isValue(ref) !== isValue(sk)) return false;
  return ref.from !== undefined || sk.from !== undefined || ref.kind === sk.kind;
}
