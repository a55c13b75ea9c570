import * as taskLib from 'azure-pipelines-task-lib/task.js';
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
