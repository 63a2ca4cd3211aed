// Rotary inverse frequencies, following transformers' ROPE_INIT_FUNCTIONS for
// the rope types this runtime supports ("default", "linear", "llama3").
// transformers computes them in float32; the results are rounded to float32 the
// same way so positions map to the same angles as in PyTorch.
import type { ArchitectureConfig } from '@layerprune/architectures';
import { ModelError } from '../errors.js';

export const SUPPORTED_ROPE_TYPES = ['default', 'linear', 'llama3'] as const;

function requiredNumber(scaling: Record<string, unknown>, field: string, source: string): number {
  const value = scaling[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ModelError('CONFIG_FIELD_MISSING', `${source}: rope_scaling.${field} must be a positive number for rope type "${String(scaling.ropeType)}", got ${JSON.stringify(value) ?? 'nothing'}`, {
      file: source,
      field: `rope_scaling.${field}`,
    });
  }
  return value;
}

/** inv_freq[i] = 1 / theta^(2i / headDim), i in [0, headDim / 2), before scaling. */
function defaultInvFreq(headDim: number, theta: number): Float64Array {
  const half = headDim / 2;
  const out = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    // torch: base ** (arange(0, dim, 2).float() / dim), all float32.
    const exponent = Math.fround((2 * i) / headDim);
    out[i] = Math.fround(1 / Math.fround(Math.pow(theta, exponent)));
  }
  return out;
}

/** transformers `_compute_llama3_parameters`: low frequencies divided by `factor`, a smooth blend in between. */
function llama3InvFreq(base: Float64Array, scaling: Record<string, unknown>, source: string): Float64Array {
  const factor = requiredNumber(scaling, 'factor', source);
  const lowFreqFactor = requiredNumber(scaling, 'low_freq_factor', source);
  const highFreqFactor = requiredNumber(scaling, 'high_freq_factor', source);
  const oldContextLen = requiredNumber(scaling, 'original_max_position_embeddings', source);
  const lowFreqWavelen = oldContextLen / lowFreqFactor;
  const highFreqWavelen = oldContextLen / highFreqFactor;
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const invFreq = base[i];
    const wavelen = (2 * Math.PI) / invFreq;
    let scaled = wavelen > lowFreqWavelen ? invFreq / factor : invFreq;
    const isMedium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
    if (isMedium) {
      const smooth = (oldContextLen / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      scaled = ((1 - smooth) * scaled) / factor + smooth * scaled;
    }
    out[i] = Math.fround(scaled);
  }
  return out;
}

/** The rotary inverse frequencies of `config` (length headDim / 2); ModelError for rope types not implemented. */
export function ropeInvFreq(config: ArchitectureConfig, source: string): Float64Array {
  if (config.headDim % 2 !== 0) {
    throw new ModelError('UNSUPPORTED_CONFIG', `${source}: head_dim ${config.headDim} must be even for rotary embeddings`, { file: source, field: 'head_dim' });
  }
  const base = defaultInvFreq(config.headDim, config.ropeTheta);
  const scaling = config.ropeScaling;
  if (scaling === null || scaling.ropeType === 'default') return base;
  if (scaling.ropeType === 'linear') {
    const factor = requiredNumber(scaling, 'factor', source);
    return base.map((f) => Math.fround(f / factor));
  }
  if (scaling.ropeType === 'llama3') return llama3InvFreq(base, scaling, source);
  throw new ModelError(
    'UNSUPPORTED_CONFIG',
    `${source}: rope_scaling type "${scaling.ropeType}" is not supported (supported: ${SUPPORTED_ROPE_TYPES.join(', ')})`,
    { file: source, field: 'rope_scaling.rope_type', limit: SUPPORTED_ROPE_TYPES.join(', ') },
  );
}
