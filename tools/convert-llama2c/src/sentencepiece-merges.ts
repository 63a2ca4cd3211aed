import type { TokenizerPiece } from './tokenizer-pieces.js';

/**
 * BPE merges recovered from a sentencepiece BPE vocabulary, the way
 * transformers' `generate_merges` (convert_slow_tokenizer.py) does it:
 * sentencepiece keeps no merge list, but merging the highest-scoring piece
 * first is its rule, so every split of a piece into two pieces that are both
 * in the vocabulary becomes a merge ranked by the merged piece's score.
 *
 * Order: score descending; ties (several splits of one piece, or equal scores)
 * by left length descending, right length descending, then vocabulary order of
 * the merged piece and (left id, right id), which is what Python's stable
 * `sorted(..., key=(score, len(l), len(r)), reverse=True)` yields there.
 * Only normal and user-defined pieces take part: control, unknown and byte
 * pieces are never produced by merging.
 */
export function sentencePieceMerges(pieces: readonly TokenizerPiece[]): Array<[string, string]> {
  const mergeable = (p: TokenizerPiece): boolean => p.type === 'normal' || p.type === 'user_defined';
  const ids = new Map<string, number>();
  pieces.forEach((p, id) => {
    if (mergeable(p)) ids.set(p.piece, id);
  });
  interface Candidate {
    left: string;
    right: string;
    score: number;
    leftLength: number;
    rightLength: number;
    order: number;
  }
  const candidates: Candidate[] = [];
  pieces.forEach((p) => {
    if (!mergeable(p)) return;
    // Python slices by code point; a piece may hold characters outside the BMP.
    const chars = Array.from(p.piece);
    const local: Array<{ left: string; right: string; leftId: number; rightId: number; leftLength: number }> = [];
    for (let cut = 1; cut < chars.length; cut++) {
      const left = chars.slice(0, cut).join('');
      const right = chars.slice(cut).join('');
      const leftId = ids.get(left);
      const rightId = ids.get(right);
      if (leftId !== undefined && rightId !== undefined) local.push({ left, right, leftId, rightId, leftLength: cut });
    }
    local.sort((a, b) => a.leftId - b.leftId || a.rightId - b.rightId);
    for (const m of local) {
      candidates.push({
        left: m.left,
        right: m.right,
        score: p.score,
        leftLength: m.leftLength,
        rightLength: chars.length - m.leftLength,
        order: candidates.length,
      });
    }
  });
  candidates.sort(
    (a, b) => b.score - a.score || b.leftLength - a.leftLength || b.rightLength - a.rightLength || a.order - b.order,
  );
  return candidates.map((c) => [c.left, c.right]);
}
