// @layerprune/model's test kit for other packages' tests, imported as
// `@layerprune/model/testing`. Only the repository's vitest and tsconfig set-up
// resolve that name: it is not in the package's exports and never published.
export { randomModel, type RandomModel, type RandomModelSpec } from './random-model.js';
export { maxAbsDiff } from './random-llama-model.js';
export { referenceForward, type ReferenceResult } from './reference-forward.js';
export { writeRandomModelDir } from './write-random-model-dir.js';
export { readerFromMap, type InMemoryTensor } from '../weights/tensor-reader.js';
