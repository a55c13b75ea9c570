import * as taskLib from 'azure-pipelines-task-lib/task.js';
import { Writable } from 'node:stream';
import { logLine, logSafeArg, logText } from '../shared/log-text.ts';

/**
 * azure-pipelines-task-lib with every function that writes to the log making its text log-safe first: the agent takes
 * `##vso[` anywhere in a line as a command, so text from a vault, an event or a config must never carry one. The task
 * imports this instead of task-lib, so no call site can forget.
 */
export const logSafeTask: typeof taskLib = {
  ...taskLib,
  debug: logSafeArg(taskLib.debug),
  warning: logSafeArg(taskLib.warning, logText),
  error: logSafeArg(taskLib.error, logText),
  logIssue: logSafeArg(taskLib.logIssue, logText, 1),
  setResult: logSafeArg(
    taskLib.setResult as (result: taskLib.TaskResult, message?: string, done?: boolean) => void,
    logText,
    1,
  ),
};

/** A plain line of the task's log (what console.log would print), log-safe. */
export const logInfo = (message: string): void => console.log(logLine(message));

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
  taskLib.setStdStream(nowhere);
  try {
    value = taskLib.getInput(name, false)?.trim() || undefined;
  } finally {
    taskLib.setStdStream(process.stdout);
  }
  // After the stream is back: the registration is a command the agent must see.
  if (value) taskLib.setSecret(value);
  return value;
}
