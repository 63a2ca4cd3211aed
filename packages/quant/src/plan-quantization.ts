// Decides, tensor by tensor, what a model quantization does: by default the
// linear weights of the transformer blocks are quantized and everything else
// (embeddings, norms, lm_head, biases) is copied as is, which is what
// transformers + bitsandbytes do. Forcing a non-linear tensor in is checked here
// so the failure names the tensor before any work is done.
import type { DType } from '@layerprune/tensor-io';
import { QuantError } from './errors.js';
import { tensorCategory, type TensorCategory } from './tensor-category.js';
import type { QuantType } from './types.js';

export interface QuantizationSelection {
  /** Also quantize `model.embed_tokens.weight` (transformers cannot load that back: nn.Embedding is not replaced). */
  quantizeEmbeddings?: boolean;
  /** Also quantize `lm_head.weight`. */
  quantizeLmHead?: boolean;
  /** Also quantize the RMSNorm weights (1-D; our reader only). */
  quantizeNorms?: boolean;
  /** Module names (or name prefixes) kept in full precision, like `llm_int8_skip_modules`. */
  skipModules?: string[];
}

export interface PlannedTensor {
  name: string;
  dtype: DType;
  shape: number[];
  category: TensorCategory;
  action: 'quantize' | 'keep';
}

const FLOAT_DTYPES: readonly DType[] = ['F32', 'F16', 'BF16', 'F64'];

function moduleOf(name: string): string {
  return name.replace(/\.(weight|bias)$/, '');
}

function skipped(name: string, skipModules: readonly string[]): boolean {
  const module = moduleOf(name);
  return skipModules.some((s) => module === s || module.startsWith(`${s}.`) || module.endsWith(`.${s}`));
}

/** Plans every tensor of a model; throws QuantError for a forced tensor that cannot be quantized. */
export function planQuantization(
  tensors: readonly { name: string; dtype: DType; shape: number[] }[],
  type: QuantType,
  selection: QuantizationSelection = {},
): PlannedTensor[] {
  const skipModules = selection.skipModules ?? [];
  return tensors.map(({ name, dtype, shape }) => {
    const category = tensorCategory(name, shape);
    const wanted =
      category === 'block-linear' ||
      (category === 'embedding' && selection.quantizeEmbeddings === true) ||
      (category === 'lm_head' && selection.quantizeLmHead === true) ||
      (category === 'norm' && selection.quantizeNorms === true);
    const action = wanted && !skipped(name, skipModules) ? 'quantize' : 'keep';
    if (action === 'quantize') checkQuantizable(name, dtype, shape, category, type);
    return { name, dtype, shape: [...shape], category, action };
  });
}

function checkQuantizable(name: string, dtype: DType, shape: number[], category: TensorCategory, type: QuantType): void {
  if (!FLOAT_DTYPES.includes(dtype)) {
    throw new QuantError('UNSUPPORTED_TYPE', `tensor "${name}" is ${dtype}; only floating-point tensors can be quantized`, {
      tensor: name,
      field: 'dtype',
    });
  }
  const numel = shape.reduce((a, b) => a * b, 1);
  if (type === 'int8') {
    if (shape.length !== 2) {
      throw new QuantError('NOT_A_MATRIX', `tensor "${name}" (${category}) has shape [${shape.join(', ')}]; row-wise int8 needs a matrix`, {
        tensor: name,
        field: 'shape',
        limit: 2,
      });
    }
    return;
  }
  // A linear weight with an odd count still packs (bitsandbytes pads the last
  // byte); a forced non-linear tensor must split into whole bytes, since the
  // loaders that would read it back expect numel / 2 bytes.
  if (category !== 'block-linear' && numel % 2 !== 0) {
    throw new QuantError(
      'SHAPE_NOT_PACKABLE',
      `tensor "${name}" (${category}) has ${numel} values with shape [${shape.join(', ')}]: an odd count does not divide into 4-bit pairs`,
      { tensor: name, field: 'shape', limit: 2 },
    );
  }
}
