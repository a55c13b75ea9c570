import { Writable } from 'node:stream';
import { logSafeTask as tl } from './log-safe-task.ts';

/** Takes whatever task-lib writes while a secret input is read, and keeps none of it. */
const nowhere = new Writable({ write: (_chunk, _encoding, done) => done() });

/**
 * A secret input (the state key), trimmed, and registered with the agent before anything can print it. task-lib's
 * getInput writes `##vso[task.debug]name=value` when system.debug is on, before any caller can mask the value, and it
 * has no quieter public getter (the endpoint secrets are read from their JSON instead). So task-lib's output goes
 * nowhere for that one synchronous call: nothing else can write in between, and its own stream is back right after.
 */
export function secretInput(name: string): string | undefined {
  let value: string | undefined;
  tl.setStdStream(nowhere);
  try {
    value = tl.getInput(name, false)?.trim() || undefined;
  } finally {
    tl.setStdStream(process.stdout);
  }
  if (value) tl.setSecret(value);
  return value;
}
