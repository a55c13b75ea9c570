import type { Clock } from '../../engine/ports.ts';
import type { InitIo } from './init.ts';

/** What the CLI reads and writes; `init` also asks on stdin (InitIo). */
export interface CliIo extends InitIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal: the report is a coloured table then, Markdown otherwise (unless --output). */
  stdoutIsTTY?: boolean;
  /** Whether stderr is a terminal: progress is one line redrawn in place then, plain lines otherwise. */
  stderrIsTTY?: boolean;
  /** The terminal's width (120 when unknown). */
  columns?: number;
  /** The run's clock: pacing, the report's times and the progress's ETA (an embedding caller's may be simulated). */
  clock?: Clock;
}
