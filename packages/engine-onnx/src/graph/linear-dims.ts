// [out, in] of a block linear: the Hugging Face weight layout every graph takes.
import { linearShape } from '@layerprune/architectures';
import type { Architecture, LinearModule } from '@layerprune/model';

export function linearDims(arch: Architecture, m: LinearModule): [number, number] {
  const [outFeatures, inFeatures] = linearShape(arch.config, m);
  return [outFeatures, inFeatures];
}
