// Every failure of this package is a FigureError with a stable `code` and a
// message naming the figure, the field and the offending value.

export type FigureErrorCode = 'INVALID_DATA' | 'EMPTY_DATA' | 'RENDER_FAILED';

export class FigureError extends Error {
  readonly code: FigureErrorCode;
  readonly figure: string;
  readonly field?: string;

  constructor(code: FigureErrorCode, figure: string, message: string, details: { field?: string; cause?: unknown } = {}) {
    super(`${figure}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FigureError';
    this.code = code;
    this.figure = figure;
    this.field = details.field;
  }
}

/** Throws INVALID_DATA unless `value` is a finite number. */
export function requireFinite(figure: string, field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FigureError('INVALID_DATA', figure, `${field} must be a finite number, got ${String(value)}`, { field });
  }
  return value;
}
