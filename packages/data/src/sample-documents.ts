// Seeded sampling of N documents from a stream of unknown length (reservoir
// sampling, Algorithm R): one pass, memory for N documents only, and the same seed
// picks the same documents on every run.
import { createRandom } from './seeded-rng.js';
import { DataError } from './data-error.js';
import type { Document } from './document.js';

export interface SampleDocumentsOptions {
  /** Default 0. */
  seed?: number;
}

/**
 * Picks `count` documents uniformly without replacement, returned in file order.
 * Returns every document when the source has fewer than `count`.
 */
export async function sampleDocuments(
  source: AsyncIterable<Document> | Iterable<Document>,
  count: number,
  options: SampleDocumentsOptions = {},
): Promise<Document[]> {
  if (!Number.isInteger(count) || count < 1) {
    throw new DataError('INVALID_ARGUMENT', `number of samples must be a positive integer, got ${count}`, {
      field: 'samples',
      limit: 1,
    });
  }
  const random = createRandom(options.seed ?? 0);
  const reservoir: Document[] = [];
  let seen = 0;
  for await (const document of source) {
    if (reservoir.length < count) reservoir.push(document);
    else {
      const j = Math.floor(random() * (seen + 1));
      if (j < count) reservoir[j] = document;
    }
    seen += 1;
  }
  return reservoir.sort((a, b) => a.index - b.index);
}
