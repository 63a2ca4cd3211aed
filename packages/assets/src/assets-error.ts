// Failures of this package are AssetsError with a stable `code`, like every
// layerprune package, so the CLI can print one line naming the missing file.
import { LayerpruneError } from '@layerprune/safe-output';

export type AssetsErrorCode = 'ASSET_NOT_FOUND' | 'UNKNOWN_TEST_MODEL';

export class AssetsError extends LayerpruneError<AssetsErrorCode> {
  constructor(code: AssetsErrorCode, message: string, file?: string) {
    super(code, message, { file });
  }
}
