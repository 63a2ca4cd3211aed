export { assetsRoot, defaultModelDir, defaultCalibrationFile, defaultHeldoutFile, defaultMmluDir, testModelDir, TEST_MODEL_NAMES } from './bundled-assets.js';
export type { TestModelName } from './bundled-assets.js';
export { AssetsError } from './assets-error.js';
export type { AssetsErrorCode } from './assets-error.js';
