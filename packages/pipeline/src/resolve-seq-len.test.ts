import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_SEQ_LEN, DEFAULT_HEAL_SEQ_LEN } from './default-config.js';
import { resolveSeqLen } from './resolve-seq-len.js';

const config = (analysis: number | null, heal: number | null) =>
  ({ analysis: { seqLen: analysis }, heal: { seqLen: heal } }) as Parameters<typeof resolveSeqLen>[0];

describe('resolveSeqLen', () => {
  it('uses a length that fits as given', () => {
    expect(resolveSeqLen(config(512, 64), 'analysis', 512, '/m')).toBe(512);
    expect(resolveSeqLen(config(512, 64), 'heal', 512, '/m')).toBe(64);
  });

  it('lets only the default follow a model with fewer positions', () => {
    expect(DEFAULT_ANALYSIS_SEQ_LEN).toBe(256);
    expect(DEFAULT_HEAL_SEQ_LEN).toBe(128);
    expect(resolveSeqLen(config(null, null), 'analysis', 512, '/m')).toBe(256);
    expect(resolveSeqLen(config(null, null), 'analysis', 100, '/m')).toBe(100);
    expect(resolveSeqLen(config(null, null), 'heal', 100, '/m')).toBe(100);
  });

  it('refuses a length the model has no positions for, naming the field, value and limit', () => {
    expect(() => resolveSeqLen(config(513, null), 'analysis', 512, '/m')).toThrow(
      expect.objectContaining({
        code: 'SEQ_LEN_TOO_LONG',
        field: 'analysis.seqLen',
        message: "analysis.seqLen 513 exceeds the model's max_position_embeddings 512 (/m); use at most 512, or leave it out to follow the model",
      }),
    );
    expect(() => resolveSeqLen(config(null, 4096), 'heal', 512, '/m')).toThrow(expect.objectContaining({ code: 'SEQ_LEN_TOO_LONG', field: 'heal.seqLen' }));
  });
});
