// Every failure of this package is a FigureError with a stable `code` and a
// message naming the figure, the field and the offending value.
import { LayerpruneError } from '@layerprune/safe-output';

export type FigureErrorCode = 'INVALID_DATA' | 'EMPTY_DATA' | 'RENDER_FAILED';

export class FigureError extends LayerpruneError<FigureErrorCode> {
  readonly figure: string;

  constructor(code: FigureErrorCode, figure: string, message: string, details: { field?: string; cause?: unknown } = {}) {
    super(code, `${figure}: ${message}`, details);
    this.figure = figure;
  }
}

/** Throws INVALID_DATA unless `value` is a finite number. */
export function requireFinite(figure: string, field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FigureError('INVALID_DATA', figure, `${field} must be a finite number, got ${String(value)}`, { field });
  }
  return value;
}
