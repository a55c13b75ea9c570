import { NEEDS_ATTENTION, RUN_EVENTS, type RunListener } from '../../engine/events.ts';
import type { Clock } from '../../engine/ports.ts';
import { logLine } from '../shared/log-text.ts';
import { wrap } from './terminal-report.ts';

/** Where progress goes: stderr, and whether it is a terminal (a line redrawn in place) or a log (plain lines). */
export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
  /** The terminal's width; the live line is cut to it. */
  columns?: number;
}

/** On a log, a line at each tenth of a pair's writes, or this long after the last line, whichever comes first. */
export const PLAIN_EVERY_MS = 30_000;

/** `2m05s`, `45s`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The CLI's progress: lines for what happens once (a pair starts, its plan, the state saved, every problem), and for a
 * pair's writes one count with an ETA instead of one line per write, redrawn in place on a terminal (`\r`) and, on a
 * log, a plain line at every tenth done (or every PLAIN_EVERY_MS). `quiet` keeps only what needs attention. Each line
 * is log-safe. `say` is also the host's log, so that a log line never lands in the middle of the live line.
 */
export function cliProgress(sink: ProgressSink, clock: Clock, quiet: boolean) {
  let live = false;
  let pair = '';
  let total = 0;
  let done = 0;
  let failed = 0;
  let started = 0;
  let lastLine = 0;
  let nextTenth = 1;
  const clear = () => {
    if (live) sink.write('\r\x1b[2K');
    live = false;
  };
  const say = (text: string) => {
    const redraw = live;
    clear();
    // On a terminal a long line (a blocked notice) wraps at a word, its next lines indented; a log keeps it whole.
    const line = logLine(text);
    const width = (sink.columns ?? 120) - 2;
    sink.write(`${sink.isTTY && line.length > width + 2 ? wrap(line, width).join('\n  ') : line}\n`);
    if (redraw) draw();
  };
  const status = () => {
    const elapsed = clock.now() - started;
    const eta = done && done < total ? `, ETA ${duration((elapsed / done) * (total - done))}` : '';
    const fails = failed ? `, ${failed} failed` : '';
    return `${pair}: ${done}/${total} written (${Math.floor((done * 100) / total)}%${fails})${eta}`;
  };
  const draw = () => {
    const line = logLine(status());
    const width = (sink.columns ?? 120) - 1;
    sink.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    live = true;
  };
  const step = () => {
    done++;
    if (quiet) return;
    if (sink.isTTY && done < total) return draw();
    if (sink.isTTY) {
      // The last count replaces the live line for good: nothing is redrawn after it.
      clear();
      return say(`${status()} in ${duration(clock.now() - started)}`);
    }
    const now = clock.now();
    if (done >= total) return say(`${status()} in ${duration(now - started)}`);
    if (done * 10 >= nextTenth * total || now - lastLine >= PLAIN_EVERY_MS) {
      while (done * 10 >= nextTenth * total) nextTenth++;
      lastLine = now;
      say(status());
    }
  };
  const listener: RunListener = (e) => {
    if (e.kind === RUN_EVENTS.pairStarted) {
      pair = e.message;
      total = done = failed = 0;
    } else if (e.kind === RUN_EVENTS.planned) {
      total = e.count ?? 0;
      done = failed = 0;
      started = lastLine = clock.now();
      nextTenth = 1;
    }
    if (e.kind === RUN_EVENTS.pairFinished) {
      if (!quiet && done && done < total) say(status());
      clear();
      total = 0;
    }
    if (e.kind === RUN_EVENTS.failed) {
      failed++;
      say(`[${e.kind}] ${e.message}`);
      return step();
    }
    if (e.kind === RUN_EVENTS.written) return step();
    if (!quiet || NEEDS_ATTENTION[e.kind]) say(`[${e.kind}] ${e.message}`);
  };
  return { listener, say, end: clear };
}
