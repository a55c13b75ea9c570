import * as actionsCore from '@actions/core';
import { logLine, logText } from '../shared/log-text.ts';

type Annotate = (message: string | Error, properties?: actionsCore.AnnotationProperties) => void;

const annotation =
  (write: Annotate): Annotate =>
  (message, properties) =>
    write(
      logText(String(message)),
      properties?.title === undefined ? properties : { ...properties, title: logLine(properties.title) },
    );

/**
 * @actions/core with every function that writes a log line or an annotation making its text log-safe first (a log
 * line stays one line; no `::` or `##[` command can start): the Action imports this instead of @actions/core, so no
 * call site can forget. Inputs, outputs, masking and the summary are @actions/core's own.
 */
export const logSafeCore: typeof actionsCore = {
  ...actionsCore,
  info: (message) => actionsCore.info(logLine(message)),
  debug: (message) => actionsCore.debug(logLine(message)),
  startGroup: (name) => actionsCore.startGroup(logLine(name)),
  notice: annotation(actionsCore.notice),
  warning: annotation(actionsCore.warning),
  error: annotation(actionsCore.error),
  setFailed: (message) => actionsCore.setFailed(logText(String(message))),
};
