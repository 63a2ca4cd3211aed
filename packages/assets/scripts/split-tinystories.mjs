#!/usr/bin/env node
// Builds packages/assets/data/tinystories-{calibration,heldout}.txt from the
// TinyStories validation sample in ../shared/fixtures (read-only; only this
// script reads it, the product never does). Deterministic: same input, same bytes.
//
// check-hermetic: allow (maintenance script: it reads the original sample outside the
// repository, which a clone does not have. It is run by hand, only to regenerate the
// bundled data; no test and no build runs it. tools/check-hermetic.mjs refuses such
// a reference anywhere else.)
//
//   node packages/assets/scripts/split-tinystories.mjs            (from the repository root)
//
// Rule (see data/SOURCE.md):
// 1. split the text into paragraphs at runs of 2+ newlines, trim each, drop empty ones;
// 2. the held-out part starts at the first paragraph that begins with
//    "Once upon a time" once the paragraphs before it hold at least
//    CALIBRATION_SHARE of all paragraph bytes, so that cut falls on a story
//    boundary and no story is split between the two files;
// 3. write each part as paragraphs separated by one blank line, ending in "\n".
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CALIBRATION_SHARE = 0.75;
const STORY_START = 'Once upon a time';

/** @param {string} text @returns {{ calibration: string[], heldout: string[] }} */
export function splitTinyStories(text) {
  const paragraphs = text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const bytes = paragraphs.map((p) => Buffer.byteLength(p, 'utf8'));
  const total = bytes.reduce((a, b) => a + b, 0);
  let before = 0;
  let cut = -1;
  for (let i = 0; i < paragraphs.length; i++) {
    if (before >= CALIBRATION_SHARE * total && paragraphs[i].startsWith(STORY_START)) {
      cut = i;
      break;
    }
    before += bytes[i];
  }
  if (cut < 0) throw new Error('no story start after the calibration share');
  return { calibration: paragraphs.slice(0, cut), heldout: paragraphs.slice(cut) };
}

/** @param {string[]} paragraphs */
export function joinDocuments(paragraphs) {
  return `${paragraphs.join('\n\n')}\n`;
}

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE = resolve(here, '..', '..', '..', '..', 'shared', 'fixtures', 'data', 'tinystories_valid', 'tinystories_val.txt');
export const DATA_DIR = resolve(here, '..', 'data');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { calibration, heldout } = splitTinyStories(readFileSync(FIXTURE, 'utf8'));
  writeFileSync(resolve(DATA_DIR, 'tinystories-calibration.txt'), joinDocuments(calibration));
  writeFileSync(resolve(DATA_DIR, 'tinystories-heldout.txt'), joinDocuments(heldout));
  console.log(`calibration: ${calibration.length} paragraphs; held-out: ${heldout.length} paragraphs`);
}
