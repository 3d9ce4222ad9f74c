/**
 * Ctrl+C, `kill` and a closed terminal (SIGINT, SIGTERM, SIGHUP) for the command-line runners: a
 * runner that starts processes stops them and removes its scratch folders before it exits, rather
 * than dying at once (Node's default) and leaving them behind.
 */

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let received: NodeJS.Signals | undefined;

/** Calls `stop` at the first of these signals (and marks the process interrupted); returns the undo. */
export function onInterrupt(stop: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    received ??= signal;
    stop(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.off(s, handler);
  };
}

/** The signal that interrupted this process, if one did. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return received;
}
