// Which rows of a right-padded [B * maxLength] batch have a next token to score,
// and that token: the rows an engine computes log-probabilities for.

export interface TargetRows {
  rows: Int32Array;
  targets: Int32Array;
}

/** Rows b*T + t with t < len_b - 1, and the next token at each. */
export function targetRows(ids: Int32Array, maxLength: number, lengths: number[]): TargetRows {
  const count = lengths.reduce((sum, len) => sum + len - 1, 0);
  const rows = new Int32Array(count);
  const targets = new Int32Array(count);
  let i = 0;
  lengths.forEach((len, b) => {
    for (let t = 0; t < len - 1; t++) {
      rows[i] = b * maxLength + t;
      targets[i] = ids[b * maxLength + t + 1];
      i++;
    }
  });
  return { rows, targets };
}
