import { describe, expect, it } from 'vitest';
import { escapeTerminal } from './escape-terminal.js';
import { jsonForTerminal } from './json-for-terminal.js';

// Expected strings are written with String.raw, so each backslash below is a
// literal backslash the user sees, not an escape the test interpreted.
describe('escapeTerminal', () => {
  it('turns ESC sequences into visible text', () => {
    expect(escapeTerminal('model\u001b[2J\u001b[31mred')).toBe(String.raw`model\x1b[2J\x1b[31mred`);
    // OSC 8 hyperlink and window-title sequences end in BEL or ST.
    expect(escapeTerminal('\u001b]0;pwned\u0007')).toBe(String.raw`\x1b]0;pwned\x07`);
  });

  it('escapes every C0 code, DEL and the C1 range', () => {
    expect(escapeTerminal('a\u0000b\u0008c\rd\ne\tf')).toBe(String.raw`a\x00b\x08c\x0dd\x0ae\x09f`);
    expect(escapeTerminal('x\u007fy')).toBe(String.raw`x\x7fy`);
    // U+009B is the one-character CSI; U+0085 NEL a line break on some terminals.
    expect(escapeTerminal('\u009b2J\u0080\u0085\u009f')).toBe(String.raw`\x9b2J\x80\x85\x9f`);
  });

  it('escapes bidi overrides, isolates and marks', () => {
    // "Trojan Source": RLO makes "txt.exe" display as "exe.txt".
    expect(escapeTerminal('file\u202eexe.txt')).toBe(String.raw`file\u202eexe.txt`);
    expect(escapeTerminal('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069')).toBe(
      String.raw`\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069`,
    );
    expect(escapeTerminal('\u200e\u200f\u061c\u2028\u2029')).toBe(String.raw`\u200e\u200f\u061c\u2028\u2029`);
  });

  it('leaves printable text alone: any script, emoji, backslashes, and is idempotent', () => {
    const printable = String.raw`model.layers.0 Ünïcödé 日本語 😀 C:\dir\x1b`;
    expect(escapeTerminal(printable)).toBe(printable);
    const once = escapeTerminal('a\u001bb\u202ec');
    expect(escapeTerminal(once)).toBe(once);
    // Characters next to the escaped ranges stay: U+00A0 (after C1), U+2029's neighbours.
    expect(escapeTerminal('\u00a0\u2027\u202f\u2065\u206a')).toBe('\u00a0\u2027\u202f\u2065\u206a');
  });

  it('multiline keeps line breaks and tabs but nothing else', () => {
    expect(escapeTerminal('one\n\ttwo\r\u001b[A', { multiline: true })).toBe('one\n\ttwo' + String.raw`\x0d\x1b[A`);
  });

  it('leaves no raw control character in a hostile string', () => {
    let hostile = '';
    for (let c = 0; c < 0xa0; c++) hostile += String.fromCharCode(c);
    hostile += '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    expect(escapeTerminal(hostile)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('jsonForTerminal', () => {
  it('escapes DEL, C1 and bidi as \\u escapes and still parses to the same value', () => {
    const value = { name: 'w\u009b2J\u202e\u007f', n: 1 };
    const text = jsonForTerminal(value);
    expect(text).toBe(['{', String.raw`  "name": "w\u009b2J\u202e\u007f",`, '  "n": 1', '}'].join('\n'));
    expect(JSON.parse(text)).toEqual(value);
  });

  it('keeps JSON.stringify escapes for C0 codes', () => {
    expect(jsonForTerminal('\u001b[2J')).toBe(String.raw`"\u001b[2J"`);
  });
});
