import { describe, expect, it } from 'vitest';
import { checkTrainingWindows } from './check-training-windows.js';
import { LoraError } from './lora-error.js';

describe('checkTrainingWindows', () => {
  it('accepts full attention and windows at least as long as the sequence', () => {
    expect(() => checkTrainingWindows([null, null], 512, 'heal')).not.toThrow();
    expect(() => checkTrainingWindows([512, null, 4096], 512, 'heal')).not.toThrow();
  });

  it('refuses the first layer whose window is shorter, naming it and the largest seq_len that works', () => {
    let error: unknown;
    try {
      checkTrainingWindows([null, 4096, 256, 128], 512, 'heal');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoraError);
    expect((error as LoraError).code).toBe('UNSUPPORTED_MODEL');
    expect((error as LoraError).limit).toBe(256);
    expect((error as LoraError).message).toBe(
      'heal: layer 2 attends through a sliding window of 256 tokens, shorter than seq_len 512; training computes full attention, so use a seq_len of at most 256',
    );
  });
});
