import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, progressStyle } from './progress.js';

function stream(isTTY: boolean, columns = 200): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(s, { isTTY, columns });
  return { stream: s, text: () => chunks.join('') };
}

/** Starts a bar of 10, updates it to the end with a field named after a file, stops it. */
function drive(target: NodeJS.WriteStream, env: NodeJS.ProcessEnv): void {
  const progress = createProgress({ label: 'analyze', total: 10, unit: 'samples', stream: target, env });
  for (let i = 1; i <= 10; i++) progress.update(i, { tensor: 'model.layers.0.\x1b[31mred' });
  progress.stop();
}

describe('progress: terminal, NO_COLOR, not a terminal', () => {
  it('chooses the form from the stream and the environment', () => {
    expect(progressStyle({ isTTY: true }, {})).toBe('bar');
    expect(progressStyle({ isTTY: true }, { NO_COLOR: '1' })).toBe('plain-bar');
    // no-color.org: set and not empty.
    expect(progressStyle({ isTTY: true }, { NO_COLOR: '' })).toBe('bar');
    expect(progressStyle({ isTTY: true }, { TERM: 'dumb' })).toBe('plain-bar');
    expect(progressStyle({ isTTY: false }, {})).toBe('lines');
    expect(progressStyle({ isTTY: undefined } as unknown as NodeJS.WriteStream, {})).toBe('lines');
  });

  it('not a terminal: plain lines, no escape character', () => {
    const out = stream(false);
    drive(out.stream, {});
    expect(out.text()).not.toContain('\x1b');
    expect(out.text()).not.toContain('\r');
    // The first update and the last (complete) one; the rest within 5 s are skipped.
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^analyze: 10\/10 samples \(\d+\.\ds\) {2}tensor model\.layers\.0\.\\x1b\[31mred$/);
  });

  it('a terminal with NO_COLOR: a bar redrawn with \\r only, no escape character, ends with a line break', () => {
    const out = stream(true);
    drive(out.stream, { NO_COLOR: '1' });
    const text = out.text();
    expect(text).not.toContain('\x1b');
    expect(text.startsWith('\ranalyze [')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    const last = text.trimEnd().split('\r').at(-1) ?? '';
    expect(last).toMatch(/^analyze \[#{40}\] 10\/10 \(\d+\.\ds\) {2}tensor model\.layers\.0\.\\x1b\[31mred/);
  });

  it('a terminal with NO_COLOR: frames are cut to the terminal width, so \\r redraws one row', () => {
    const out = stream(true, 50);
    drive(out.stream, { NO_COLOR: '1' });
    const frames = out.text().split('\r').slice(1);
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame.replace(/\n$/, '').length).toBeLessThanOrEqual(49);
  });

  it('a terminal with TERM=dumb: the same plain bar', () => {
    const out = stream(true);
    drive(out.stream, { TERM: 'dumb' });
    expect(out.text()).not.toContain('\x1b');
    expect(out.text()).toContain('\ranalyze [');
  });

  it('--quiet: nothing', () => {
    const out = stream(true);
    const progress = createProgress({ label: 'x', total: 2, stream: out.stream, quiet: true, env: {} });
    progress.update(2);
    progress.stop();
    expect(out.text()).toBe('');
  });
});
