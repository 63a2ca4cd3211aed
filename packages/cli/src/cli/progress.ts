// Progress for long work. On a terminal: a cli-progress bar on stderr. Elsewhere
// (CI logs, pipes): a plain line at most every few seconds, so logs stay readable.
// With --json nothing but the result goes to stdout; progress stays on stderr.
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
}

const PLAIN_INTERVAL_MS = 5_000;

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update() {}, increment() {}, stop() {} };
  const safe = { ...options, label: escapeTerminal(options.label), unit: options.unit === undefined ? undefined : escapeTerminal(options.unit) };
  if (stream.isTTY) return createBar(safe, stream);
  return createPlain(safe, stream);
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

function createPlain(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
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
