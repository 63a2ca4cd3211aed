// @layerprune/tensor-io's test kit for other packages' tests, imported as
// `@layerprune/tensor-io/testing`. Only the repository's vitest and tsconfig
// set-up resolve that name: it is not in the package's exports and never published.
export { writeFakeHubRepo, type FakeHubRepo } from './fake-hub-cache.js';
export { editConfig } from './edit-config.js';
export { rewriteWeights } from './rewrite-weights.js';
