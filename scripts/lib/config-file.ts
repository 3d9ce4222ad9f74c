/**
 * What the course kit's configuration files (`course/labs.json`, `course/grading.json`, `handout.json`,
 * `course/course.json`) share before their own fields: JSON text that must be an object carrying
 * the expected `"format"`, and errors that start with the file's name.
 */

/** A configuration's top-level object, and how to reject one of its fields. */
export interface ConfigObject {
  readonly raw: Record<string, unknown>;
  /** Throws the configuration's error class with `${source}: ${what}`. */
  readonly fail: (what: string) => never;
}

/**
 * Parses `text` (named `source` in errors) as a JSON object whose `"format"` is `format`, or throws
 * `new error(...)` naming what is wrong.
 */
export function parseConfigObject(text: string, source: string, format: string, error: new (message: string) => Error): ConfigObject {
  const fail = (what: string): never => {
    throw new error(`${source}: ${what}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(raw)) return fail("expected a JSON object");
  if (raw["format"] !== format) fail(`"format" must be "${format}", got ${JSON.stringify(raw["format"])}`);
  return { raw, fail };
}

/** Whether `v` is a plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
