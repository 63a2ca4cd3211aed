import { describe, expect, it } from 'vitest';
import { formatTable } from './output.js';

describe('formatTable', () => {
  it('escapes control characters in headers and cells, and aligns on the escaped text', () => {
    const table = formatTable(['tensor\u001b[1m', 'dtype'], [
      ['evil\u001b[2J\u202ename', 'F32'],
      ['line\nbreak', 'F16'],
    ]);
    expect(table.split('\n')).toEqual([
      String.raw`tensor\x1b[1m          dtype`,
      '---------------------  -----',
      String.raw`evil\x1b[2J\u202ename  F32`,
      String.raw`line\x0abreak          F16`,
    ]);
  });
});
