import { describe, expect, it } from 'vitest';
import { documentWindows, makeDisjointWindow, rollingTokenWindows } from './rolling-windows.js';

describe('rollingTokenWindows (harness get_rolling_token_windows)', () => {
  it('matches the harness test_get_rolling_token_windows_v1 gold (34 tokens, max 10, context 1)', () => {
    // Gold copied from lm-evaluation-harness tests/test_utils.py.
    const gold: [number[], number[]][] = [
      [[-100, 0, 1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
      [[9, 10, 11, 12, 13, 14, 15, 16, 17, 18], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]],
      [[19, 20, 21, 22, 23, 24, 25, 26, 27, 28], [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]],
      [[23, 24, 25, 26, 27, 28, 29, 30, 31, 32], [30, 31, 32, 33]],
    ];
    const tokens = Array.from({ length: 34 }, (_, i) => i);
    const windows = rollingTokenWindows(tokens, -100, 10, 1);
    expect(windows.map((w) => [w.context, w.continuation])).toEqual(gold);
  });

  it('with a longer context_len predicts fewer tokens per window (harness v2 shape)', () => {
    const tokens = Array.from({ length: 34 }, (_, i) => i);
    const windows = rollingTokenWindows(tokens, -100, 10, 8);
    // pred_len = 10 - 8 + 1 = 3 after the first window of 10.
    expect(windows[0].continuation).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(windows[1]).toEqual({ context: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], continuation: [10, 11, 12] });
    expect(windows.flatMap((w) => w.continuation)).toEqual(tokens);
  });

  it('returns nothing for an empty document and one window for a short one', () => {
    expect(rollingTokenWindows([], 1, 10)).toEqual([]);
    expect(rollingTokenWindows([5, 6, 7], 1, 10)).toEqual([{ context: [1, 5, 6], continuation: [5, 6, 7] }]);
  });
});

describe('makeDisjointWindow (harness make_disjoint_window)', () => {
  it('drops the context tokens the continuation repeats', () => {
    expect(makeDisjointWindow({ context: [1, 2, 3, 4, 5], continuation: [2, 3, 4, 5, 6] })).toEqual({
      context: [1],
      continuation: [2, 3, 4, 5, 6],
    });
    expect(makeDisjointWindow({ context: [1, 2, 3, 4, 5], continuation: [4, 5, 6] })).toEqual({
      context: [1, 2, 3],
      continuation: [4, 5, 6],
    });
  });

  it('scores every token exactly once, conditioned on the first window on the prefix token, never over max length', () => {
    const tokens = Array.from({ length: 1037 }, (_, i) => 1000 + i);
    const windows = documentWindows(tokens, 1, 128);
    expect(windows.flatMap((w) => w.continuation)).toEqual(tokens);
    expect(windows[0].context).toEqual([1]);
    for (const w of windows) {
      const whole = [...w.context, ...w.continuation];
      expect(whole.length).toBeLessThanOrEqual(129); // input = whole[:-1] has at most 128 tokens
      // context is exactly what precedes the continuation in the document
      const first = tokens.indexOf(w.continuation[0]);
      if (first > 0) expect(w.context).toEqual(tokens.slice(first - w.context.length, first));
    }
    // The last window sees a full max-length input even though it predicts few tokens.
    const last = windows[windows.length - 1];
    expect(last.context.length + last.continuation.length).toBe(129);
  });
});
