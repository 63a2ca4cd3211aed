// One block's dropout masks from a saved generator state: every engine, and the
// worker thread that draws masks beside onnxruntime, fills them through this
// one function, so they all get the same masks from the same state.
import { SeededRng, type RngState } from './seeded-rng.js';

/**
 * Fills `outs` in order from one SeededRng started at `state`: inverted dropout
 * (0 with probability p, else 1 / (1 - p), as torch.nn.Dropout).
 */
export function fillDropoutMasks(state: RngState, p: number, outs: readonly Float32Array[]): void {
  const rng = new SeededRng(state);
  const keep = 1 / (1 - p);
  for (const out of outs) rng.fillDropoutMask(out, p, keep);
}
