/**
 * What a TypeScript module offers and what it takes from others, read with swc's parser (already
 * a dependency, for dependency-cruiser; TypeScript 7 has no JavaScript API): its exported names
 * with their kinds and signatures, and the names it imports from each module. The course kit
 * compares a skeleton's exports with the reference's, for the names the harness imports.
 */
import { parseSync } from "@swc/core";
import type {
  ClassDeclaration,
  ClassMember,
  Declaration,
  HasSpan,
  Module,
  ModuleExportName,
  Param,
  Pattern,
  TsParameterProperty,
  TsTypeAnnotation,
} from "@swc/core";

/** One exported name. A class is both a value and a type. */
export interface ExportedName {
  readonly name: string;
  readonly kind: "value" | "type" | "class";
  /**
   * Functions and annotated constants: their type, normalized, e.g. `(readonly ClientEnd[]) => Clerk`
   * or `MakeRaft`. Classes: see `members`. Types and re-exports: undefined (compared by the compiler).
   */
  readonly signature?: string | undefined;
  /** Classes: each public instance member's signature (methods with parameter and return types, properties with their type). */
  readonly members?: ReadonlyMap<string, string>;
  /** Set when the name is re-exported from another module (`export { x } from "./y.js"`). */
  readonly from?: string;
}

/** One name imported (or re-exported) from a module. */
export interface ImportedName {
  /** The module specifier as written, e.g. `./raft.js`. */
  readonly spec: string;
  /** The exported name taken, or `*` for `export * from` / `import * as`. */
  readonly name: string;
  readonly typeOnly: boolean;
}

/** A module's source, parsed once: byte offsets of swc's spans map to text through it. */
class Source {
  readonly bytes: Buffer;
  readonly module: Module;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.bytes = Buffer.from(text, "utf8");
    try {
      this.module = parseSync(text, { syntax: "typescript", target: "es2022" });
    } catch (e) {
      throw new Error(`${file}: cannot be parsed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The source text of a node (swc spans are 1-based byte offsets within the file). */
  slice(start: number, end: number): string {
    return this.bytes.subarray(start - 1, end - 1).toString("utf8");
  }

  of(node: HasSpan): string {
    return this.slice(node.span.start, node.span.end);
  }
}

/** The names `text` (the module `file`) exports. */
export function exportsOf(text: string, file: string): ExportedName[] {
  const src = new Source(text, file);
  const out: ExportedName[] = [];
  for (const item of src.module.body) {
    switch (item.type) {
      case "ExportDeclaration":
        out.push(...declared(src, item.declaration));
        break;
      case "ExportNamedDeclaration":
        for (const s of item.specifiers) {
          if (s.type !== "ExportSpecifier") continue;
          const name = exportName(s.exported ?? s.orig);
          out.push({ name, kind: item.typeOnly || s.isTypeOnly ? "type" : "value", ...(item.source ? { from: item.source.value } : {}) });
        }
        break;
      case "ExportAllDeclaration":
        out.push({ name: "*", kind: typeOnlyAll(item) ? "type" : "value", from: item.source.value });
        break;
      case "ExportDefaultDeclaration":
      case "ExportDefaultExpression":
        out.push({ name: "default", kind: "value" });
        break;
      default:
        break;
    }
  }
  return out;
}

/** The names `text` imports or re-exports from other modules. */
export function importsOf(text: string, file: string): ImportedName[] {
  const src = new Source(text, file);
  const out: ImportedName[] = [];
  for (const item of src.module.body) {
    if (item.type === "ImportDeclaration") {
      for (const s of item.specifiers) {
        if (s.type === "ImportSpecifier") {
          out.push({ spec: item.source.value, name: exportName(s.imported ?? s.local), typeOnly: item.typeOnly || s.isTypeOnly });
        } else if (s.type === "ImportNamespaceSpecifier") {
          out.push({ spec: item.source.value, name: "*", typeOnly: item.typeOnly });
        } else {
          out.push({ spec: item.source.value, name: "default", typeOnly: item.typeOnly });
        }
      }
    } else if (item.type === "ExportNamedDeclaration" && item.source) {
      for (const s of item.specifiers) {
        if (s.type === "ExportSpecifier") out.push({ spec: item.source.value, name: exportName(s.orig), typeOnly: item.typeOnly || s.isTypeOnly });
      }
    } else if (item.type === "ExportAllDeclaration") {
      out.push({ spec: item.source.value, name: "*", typeOnly: typeOnlyAll(item) });
    }
  }
  return out;
}

/** `export type * from` (swc's types do not declare the flag its parser sets). */
function typeOnlyAll(item: object): boolean {
  return (item as { typeOnly?: boolean }).typeOnly === true;
}

function exportName(n: ModuleExportName): string {
  return n.value;
}

function declared(src: Source, d: Declaration): ExportedName[] {
  switch (d.type) {
    case "ClassDeclaration":
      return [{ name: d.identifier.value, kind: "class", members: classMembers(src, d) }];
    case "FunctionDeclaration":
      return [{ name: d.identifier.value, kind: "value", signature: functionSignature(src, d.params, d.returnType) }];
    case "VariableDeclaration":
      return d.declarations.flatMap((v) => {
        if (v.id.type !== "Identifier") return [];
        const annotation = "typeAnnotation" in v.id ? v.id.typeAnnotation : undefined;
        return [{ name: v.id.value, kind: "value" as const, signature: annotation ? typeText(src, annotation) : "(no annotation)" }];
      });
    case "TsInterfaceDeclaration":
    case "TsTypeAliasDeclaration":
      return [{ name: d.id.value, kind: "type" }];
    case "TsEnumDeclaration":
      return [{ name: d.id.value, kind: "class" }];
    case "TsModuleDeclaration":
      return [];
  }
}

/** Public instance members of a class, each with its signature; the constructor as `constructor`. */
function classMembers(src: Source, c: ClassDeclaration): Map<string, string> {
  const members = new Map<string, string>();
  for (const m of c.body) {
    const entry = member(src, m);
    if (entry !== undefined) members.set(entry[0], entry[1]);
  }
  return members;
}

function member(src: Source, m: ClassMember): [string, string] | undefined {
  switch (m.type) {
    case "Constructor": {
      const params = m.params.map((p) => (p.type === "TsParameterProperty" ? parameterProperty(src, p) : paramType(src, p.pat)));
      // Parameter properties declare public fields too, but a field only one side has is no drift.
      return ["constructor", `(${params.join(", ")})`];
    }
    case "ClassMethod":
      if (m.isStatic || m.accessibility === "private" || m.accessibility === "protected") return undefined;
      return [propertyKey(src, m.key), `${m.function.async ? "async " : ""}${functionSignature(src, m.function.params, m.function.returnType)}${m.isOptional ? " (optional)" : ""}`];
    case "ClassProperty":
      if (m.isStatic || m.accessibility === "private" || m.accessibility === "protected") return undefined;
      return [propertyKey(src, m.key), `${m.readonly ? "readonly " : ""}${m.typeAnnotation ? typeText(src, m.typeAnnotation) : "(inferred)"}`];
    default:
      return undefined;
  }
}

function propertyKey(src: Source, key: HasSpan & { type: string }): string {
  return normalize(src.of(key));
}

function parameterProperty(src: Source, p: TsParameterProperty): string {
  const inner = p.param.type === "Identifier" ? paramType(src, p.param) : paramType(src, p.param.left);
  return inner;
}

function functionSignature(src: Source, params: readonly Param[], returnType: TsTypeAnnotation | undefined | null): string {
  return `(${params.map((p) => paramType(src, p.pat)).join(", ")}) => ${returnType ? typeText(src, returnType) : "(inferred)"}`;
}

/** A parameter's type, with `?` for optional ones, `=` for defaulted ones and `...` for rest ones (names are not compared). */
function paramType(src: Source, pat: Pattern): string {
  switch (pat.type) {
    case "Identifier": {
      const annotation = "typeAnnotation" in pat ? pat.typeAnnotation : undefined;
      return `${pat.optional ? "?" : ""}${annotation ? typeText(src, annotation) : "(untyped)"}`;
    }
    case "AssignmentPattern":
      return `${paramType(src, pat.left)}=`;
    case "RestElement":
      return `...${pat.typeAnnotation ? typeText(src, pat.typeAnnotation) : "(untyped)"}`;
    default: {
      const annotation = (pat as { typeAnnotation?: TsTypeAnnotation | null }).typeAnnotation;
      return annotation?.type === "TsTypeAnnotation" ? typeText(src, annotation) : normalize(src.of(pat as HasSpan));
    }
  }
}

function typeText(src: Source, t: TsTypeAnnotation): string {
  return normalize(src.of(t.typeAnnotation));
}

/** Whitespace collapsed, spaces around punctuation dropped, trailing commas and semicolons in types dropped. */
export function normalize(text: string): string {
  return text
    .replace(/\/\/[^\n]*/g, "")
    .replace(/\s+/g, " ")
    .replace(/\s*([(){}<>[\],;:|&=?])\s*/g, "$1")
    .replace(/[,;]([}\])>])/g, "$1")
    .trim();
}
