import * as taskLib from 'azure-pipelines-task-lib/task.js';
import { logLine, logText } from '../shared/log-text.ts';

type Issue = typeof taskLib.warning;
const issue =
  (write: Issue): Issue =>
  (message, ...rest) =>
    write(logText(message), ...rest);
const setResult = taskLib.setResult as (result: taskLib.TaskResult, message?: string, done?: boolean) => void;

/**
 * azure-pipelines-task-lib with every function that writes to the log making its text log-safe first: the agent takes
 * `##vso[` anywhere in a line as a command, so text from a vault, an event or a config must never carry one. The task
 * imports this instead of task-lib, so no call site can forget.
 */
export const logSafeTask: typeof taskLib = {
  ...taskLib,
  debug: (message) => taskLib.debug(logLine(message)),
  warning: issue(taskLib.warning),
  error: issue(taskLib.error),
  logIssue: (type, message, ...rest) => taskLib.logIssue(type, logText(message), ...rest),
  setResult: (result: taskLib.TaskResult, message?: string, done?: boolean) =>
    setResult(result, message === undefined ? undefined : logText(message), done),
};

/** A plain line of the task's log (what console.log would print), log-safe. */
export const logInfo = (message: string): void => console.log(logLine(message));
