// Test helper: a tiny model's separately generated q/k/v and gate/up weights
// stored as its checkpoint layout has them (Phi-3: one qkv_proj, one
// gate_up_proj, parts stacked by rows in the layout's order). The references
// slice the fused tensors themselves, so a wrong order here would show there.
import { checkpointLayout, type LayoutConfig } from '../checkpoint-layout.js';
import { moduleSuffix } from '../target-modules.js';

export function fuseLinears(config: LayoutConfig & { numHiddenLayers: number }, weights: Map<string, Float32Array>): void {
  for (let l = 0; l < config.numHiddenLayers; l++) {
    for (const linear of checkpointLayout(config)) {
      if (linear.parts.length === 1) continue;
      const fused = new Float32Array(linear.rows * linear.columns);
      for (const part of linear.parts) {
        const name = `model.layers.${l}.${moduleSuffix(part.module)}.weight`;
        fused.set(weights.get(name)!, part.rowStart * linear.columns);
        weights.delete(name);
      }
      weights.set(`model.layers.${l}.${linear.suffix}.weight`, fused);
    }
  }
}
