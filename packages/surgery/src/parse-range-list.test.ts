import { describe, expect, it } from 'vitest';
import { parseIndexList } from './parse-index-list.js';
import { parseRangeList } from './parse-range-list.js';

describe('command-line range parsing', () => {
  it('parses START:END lists and index lists', () => {
    expect(parseRangeList('4:8')).toEqual([[4, 8]]);
    expect(parseRangeList('0:21, 29:32', '--keep')).toEqual([[0, 21], [29, 32]]);
    expect(parseIndexList('3,7,9')).toEqual([3, 7, 9]);
    expect(parseIndexList('3,3')).toEqual([3, 3]);
  });

  it('refuses anything else with PLAN_SYNTAX naming the option', () => {
    for (const text of ['4', '4:', ':8', '-1:3', '4:8:9', '1.5:3', 'a:b', '']) {
      expect(() => parseRangeList(text, '--keep')).toThrow(/--keep/);
    }
    for (const text of ['3,', '-2', '3-5', 'x']) expect(() => parseIndexList(text)).toThrow(/--drop-layers/);
  });
});
