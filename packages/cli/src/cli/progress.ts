// Progress for long work, on stderr (with --json nothing but the result goes to
// stdout). Three forms, by what the stream is:
// - a terminal: a cli-progress bar, redrawn in place;
// - a terminal with NO_COLOR set (https://no-color.org) or TERM=dumb: the same
//   bar drawn with a carriage return only, no escape sequence of any kind;
// - anything else (CI logs, pipes, files): a plain line at most every few
//   seconds, so logs stay readable and hold no control characters.
// No form uses colour.
import cliProgress from 'cli-progress';
import { escapeTerminal } from './escape-terminal.js';

export interface Progress {
  /** Sets the number of finished units and optional fields shown after the bar. */
  update(done: number, fields?: Record<string, string | number>): void;
  /** Adds to the number of finished units. */
  increment(by?: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** Unit shown in plain-line mode, e.g. "samples". */
  unit?: string;
  stream?: NodeJS.WriteStream;
  quiet?: boolean;
  /** Environment read for NO_COLOR and TERM (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export type ProgressStyle = 'bar' | 'plain-bar' | 'lines';

const PLAIN_INTERVAL_MS = 5_000;
const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 40;

/**
 * How progress is shown on `stream`: 'bar' on a terminal, 'plain-bar' (no escape
 * sequences) on a terminal when NO_COLOR is set to a non-empty value or TERM is
 * dumb, 'lines' when the stream is not a terminal.
 */
export function progressStyle(stream: Pick<NodeJS.WriteStream, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): ProgressStyle {
  if (stream.isTTY !== true) return 'lines';
  if ((env.NO_COLOR ?? '') !== '' || env.TERM === 'dumb') return 'plain-bar';
  return 'bar';
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update() {}, increment() {}, stop() {} };
  const safe = { ...options, label: escapeTerminal(options.label), unit: options.unit === undefined ? undefined : escapeTerminal(options.unit) };
  const style = progressStyle(stream, options.env);
  if (style === 'bar') return createBar(safe, stream);
  if (style === 'plain-bar') return createPlainBar(safe, stream);
  return createLines(safe, stream);
}

/** Fields show tensor names and such from files: escaped, like every other line. */
function formatFields(fields: Record<string, string | number> | undefined): string {
  if (!fields) return '';
  return escapeTerminal(
    Object.entries(fields)
      .map(([k, v]) => `${k} ${v}`)
      .join('  '),
  );
}

function createBar(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${options.label} {bar} {value}/{total} | {eta_formatted} left | {extra}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  bar.start(options.total, 0, { extra: '' });
  return {
    update(value, fields) {
      done = value;
      bar.update(done, { extra: formatFields(fields) });
    },
    increment(by = 1, fields) {
      done += by;
      bar.update(done, { extra: formatFields(fields) });
    },
    stop() {
      bar.stop();
    },
  };
}

/** A bar redrawn with `\r` and spaces only: no cursor hiding, no line clearing, no colour. */
function createPlainBar(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  const started = Date.now();
  let done = 0;
  let extra = '';
  let last = 0;
  let shown = 0;
  // An update not drawn yet (redraws are at most every REDRAW_INTERVAL_MS).
  let pending = false;
  let stopped = false;
  const draw = (force: boolean): void => {
    const now = Date.now();
    if (stopped) return;
    if (!force && now - last < REDRAW_INTERVAL_MS) {
      pending = true;
      return;
    }
    last = now;
    pending = false;
    const fraction = options.total > 0 ? Math.min(1, Math.max(0, done / options.total)) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const elapsed = ((now - started) / 1000).toFixed(1);
    let line = `${options.label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${options.total} (${elapsed}s)${extra ? `  ${extra}` : ''}`;
    // A line longer than the terminal would wrap, and `\r` would then redraw only its last row.
    const width = stream.columns ?? 0;
    if (width > 1 && line.length > width - 1) line = line.slice(0, width - 1);
    stream.write(`\r${line.padEnd(shown)}`);
    shown = line.length;
  };
  draw(true);
  return {
    update(value, fields) {
      done = value;
      extra = formatFields(fields);
      draw(done >= options.total);
    },
    increment(by = 1, fields) {
      done += by;
      extra = formatFields(fields);
      draw(done >= options.total);
    },
    stop() {
      if (stopped) return;
      if (pending) draw(true);
      stopped = true;
      stream.write('\n');
    },
  };
}

function createLines(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  const started = Date.now();
  let last = 0;
  let done = 0;
  const unit = options.unit ? ` ${options.unit}` : '';
  const print = (fields?: Record<string, string | number>, force = false): void => {
    const now = Date.now();
    if (!force && now - last < PLAIN_INTERVAL_MS) return;
    last = now;
    const elapsed = ((now - started) / 1000).toFixed(1);
    const extra = formatFields(fields);
    stream.write(`${options.label}: ${done}/${options.total}${unit} (${elapsed}s)${extra ? `  ${extra}` : ''}\n`);
  };
  return {
    update(value, fields) {
      done = value;
      print(fields, done >= options.total);
    },
    increment(by = 1, fields) {
      done += by;
      print(fields, done >= options.total);
    },
    stop() {},
  };
}
