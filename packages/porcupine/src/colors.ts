/** ANSI colours for the CLI (the package has no dependencies). */

/** Colour functions; each returns its argument unchanged when colours are off. */
export interface Colors {
  /** Green text. */
  green(s: string): string;
  /** Red text. */
  red(s: string): string;
  /** Yellow text. */
  yellow(s: string): string;
  /** Dim text. */
  dim(s: string): string;
}

/** Colour functions, enabled or not. */
export function createColors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (s: string): string => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22) };
}
