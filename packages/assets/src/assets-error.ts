// Failures of this package are AssetsError with a stable `code`, like every
// layerprune package, so the CLI can print one line naming the missing file.

export type AssetsErrorCode = 'ASSET_NOT_FOUND' | 'UNKNOWN_TEST_MODEL';

export class AssetsError extends Error {
  readonly code: AssetsErrorCode;
  readonly file?: string;

  constructor(code: AssetsErrorCode, message: string, file?: string) {
    super(message);
    this.name = 'AssetsError';
    this.code = code;
    this.file = file;
  }
}
