// The seven logical linear weights of a block from its checkpoint tensors, as
// @layerprune/architectures describes them (checkpointLinears): an unfused
// tensor is one module; a fused one (Phi-3's qkv_proj, gate_up_proj) is read
// ONCE and each module gets its rows. Rows of a row-major [rows, in] tensor are
// contiguous, so a module's weight is a subarray view of the fused tensor: no
// copy, and the block keeps exactly the checkpoint's bytes alive.
// The same holds for a 4-bit fused tensor (quantized whole, as bitsandbytes
// does): a module's codes and absmax values are contiguous runs of the fused
// tensor's, provided its rows start where a byte and an absmax block start,
// i.e. rowStart * in is a multiple of the block size (block sizes are even, so
// the element index is even too). Other splits would need re-blocking, so the
// provider serves such blocks dequantized to float32 instead.
import { checkpointLinearOf, checkpointLinears, layerTensorName } from '@layerprune/architectures';
import type { ArchitectureConfig, CheckpointLinear, LinearModule, ModulePart } from '@layerprune/architectures';
import type { Packed4bitLinear } from './block-weights.js';

/** Reads a tensor by name, checking it has `shape` (the provider's own read, with its errors). */
export type ShapedRead = (name: string, shape: number[]) => Promise<Float32Array>;

/** `model.layers.{layer}.{path}.weight` of a checkpoint linear. */
export function checkpointWeightName(layer: number, linear: CheckpointLinear): string {
  return layerTensorName(layer, `${linear.path}.weight`);
}

/** Rows [start, end) of a row-major [rows, columns] array, as a view. */
export function rowsOf(values: Float32Array, columns: number, start: number, end: number): Float32Array {
  return values.subarray(start * columns, end * columns);
}

/** Each logical module's [out, in] weight of block `layer`; fused tensors are read once and split by rows. */
export async function readBlockLinears(config: ArchitectureConfig, layer: number, read: ShapedRead): Promise<Record<LinearModule, Float32Array>> {
  const linear = {} as Record<LinearModule, Float32Array>;
  for (const tensor of checkpointLinears(config)) {
    const values = await read(checkpointWeightName(layer, tensor), [tensor.rows, tensor.columns]);
    for (const part of tensor.parts) {
      linear[part.module] = tensor.parts.length === 1 ? values : rowsOf(values, tensor.columns, part.rowStart, part.rowEnd);
    }
  }
  return linear;
}

/**
 * The checkpoint tensor holding `module`'s weight, for messages: the plain name
 * when it is unfused, else the fused name with the module's rows, e.g.
 * `model.layers.0.self_attn.qkv_proj.weight rows [32, 48) (k_proj)`.
 */
export function linearWeightLabel(config: ArchitectureConfig, layer: number, module: LinearModule): string {
  const { linear, part } = checkpointLinearOf(config, module);
  const name = checkpointWeightName(layer, linear);
  return linear.parts.length === 1 ? name : `${name} rows [${part.rowStart}, ${part.rowEnd}) (${module})`;
}

/** Whether every part of a [rows, columns] tensor starts on a byte and an absmax block boundary. */
export function packedRowsSplittable(parts: readonly ModulePart[], columns: number, blockSize: number): boolean {
  return parts.every((part) => {
    const first = part.rowStart * columns;
    return first % 2 === 0 && first % blockSize === 0;
  });
}

/**
 * Each part's rows of a packed 4-bit [rows, columns] tensor, as views into its
 * codes and absmax (no copy, nothing dequantized); null when a part starts
 * inside a byte or an absmax block (see packedRowsSplittable).
 */
export function splitPacked4bitRows(
  packed: Packed4bitLinear,
  columns: number,
  parts: readonly ModulePart[],
): Partial<Record<LinearModule, Packed4bitLinear>> | null {
  if (!packedRowsSplittable(parts, columns, packed.blockSize)) return null;
  const out: Partial<Record<LinearModule, Packed4bitLinear>> = {};
  for (const part of parts) {
    const first = part.rowStart * columns;
    const end = part.rowEnd * columns;
    out[part.module] = {
      quantType: packed.quantType,
      blockSize: packed.blockSize,
      // ceil: the last part of an odd-sized tensor ends in a half-used byte, as a tensor of its own would.
      packed: packed.packed.subarray(first / 2, Math.ceil(end / 2)),
      absmax: packed.absmax.subarray(first / packed.blockSize, Math.ceil(end / packed.blockSize)),
    };
  }
  return out;
}
