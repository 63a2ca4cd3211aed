import { describe, expect, it } from 'vitest';
import { windowShorterThan } from './window-shorter-than.js';

describe('windowShorterThan', () => {
  const F = 'full_attention' as const;
  const S = 'sliding_attention' as const;

  it('null without sliding layers, or when every window covers the sequence', () => {
    expect(windowShorterThan({ layerTypes: [F, F], slidingWindow: null }, 512)).toBeNull();
    expect(windowShorterThan({ layerTypes: [F, F], slidingWindow: 16 }, 512)).toBeNull();
    expect(windowShorterThan({ layerTypes: [S, F, S], slidingWindow: 512 }, 512)).toBeNull();
    expect(windowShorterThan({}, 512)).toBeNull();
  });

  it('names the first sliding layer whose window is shorter than seq_len', () => {
    expect(windowShorterThan({ layerTypes: [F, F, S, S], slidingWindow: 256 }, 512)).toEqual({ layer: 2, window: 256 });
    expect(windowShorterThan({ layerTypes: [S, F], slidingWindow: 511 }, 512)).toEqual({ layer: 0, window: 511 });
  });
});
