import * as actionsCore from '@actions/core';
import { logLine, logSafeArg, logText } from '../shared/log-text.ts';

type Annotate = (message: string | Error, properties?: actionsCore.AnnotationProperties) => void;

/** An annotation's message, and its title (one line), made log-safe. */
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
  info: logSafeArg(actionsCore.info),
  debug: logSafeArg(actionsCore.debug),
  startGroup: logSafeArg(actionsCore.startGroup),
  notice: annotation(actionsCore.notice),
  warning: annotation(actionsCore.warning),
  error: annotation(actionsCore.error),
  setFailed: logSafeArg(actionsCore.setFailed, logText),
};
