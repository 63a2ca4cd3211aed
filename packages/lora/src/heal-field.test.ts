// heal({ field }): the JSON Lines field or Parquet column of the training and
// held-out corpora. Training on it end to end is tested through the CLI
// (packages/cli/src/commands/heal.test.ts); here, what is refused before any file is read.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { heal } from './heal.js';

describe('heal field option', () => {
  it('an empty field is CONFIG_INVALID naming the option, before the model or data is opened', async () => {
    const missing = join(tmpdir(), 'layerprune-no-such-dir', 'none');
    await expect(heal({ model: missing, data: missing, out: join(missing, 'out'), field: '' })).rejects.toMatchObject({
      name: 'LoraError',
      code: 'CONFIG_INVALID',
      field: 'field',
      message: 'field: must be a non-empty JSON Lines field or Parquet column name, got ""',
    });
  });
});
