// @layerprune/lora's test kit for other packages' tests, imported as
// `@layerprune/lora/testing`. Only the repository's vitest and tsconfig set-up
// resolve that name: it is not in the package's exports and never published.
export { dropBlockDir } from './drop-block-dir.js';
export { compareWithFiniteDifferences, toReference } from './finite-differences.js';
export { gemmaTestConfigs } from './gemma-test-configs.js';
export { expectKillAndResume } from './kill-and-resume.js';
export { referenceLoss, type ReferenceMasks } from './reference-llama-f64.js';
export { createTinyModel } from './tiny-model.js';
