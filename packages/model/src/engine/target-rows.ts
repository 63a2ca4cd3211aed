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

export interface HeadRows {
  /** Rows the head computes: every row of the batch, or only those with a next token. */
  rows: Int32Array;
  /** Per batch row, its next token, or -1 where there is none (last and padded positions). */
  rowTarget: Int32Array;
}

/** What an engine's head pass covers: all rows when every position's logits are wanted, else the target rows. */
export function headRows(ids: Int32Array, maxLength: number, lengths: number[], allRows: boolean): HeadRows {
  const targets = targetRows(ids, maxLength, lengths);
  const total = lengths.length * maxLength;
  const rows = allRows ? Int32Array.from({ length: total }, (_, r) => r) : targets.rows;
  const rowTarget = new Int32Array(total).fill(-1);
  targets.rows.forEach((row, i) => (rowTarget[row] = targets.targets[i]));
  return { rows, rowTarget };
}
