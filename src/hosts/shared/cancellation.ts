/**
 * SIGINT or SIGTERM (a cancelled workflow or pipeline, Ctrl-C) cancels the run: writes under way finish, no new one
 * starts, and the state of what was written is saved. The handlers go after the first signal, so a second one ends
 * the process as usual.
 */
export function cancelOnSignals(onSignal: (signal: NodeJS.Signals) => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const dispose = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  const handler = (signal: NodeJS.Signals) => {
    dispose();
    onSignal(signal);
    controller.abort();
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return { signal: controller.signal, dispose };
}
