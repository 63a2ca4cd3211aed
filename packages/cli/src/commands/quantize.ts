// `layerprune quantize`: write a bitsandbytes-style 4-bit (NF4 / FP4) or int8
// copy of a model, with the error each quantized weight took on.
// Thin: options -> @layerprune/quant quantizeModelDir -> per-tensor table.
// Options and help: ./quantize-options.ts.
import { defaultModelDir } from '@layerprune/assets';
import { quantizeModelDir, type QuantizeModelResult, type QuantType, type TensorReport } from '@layerprune/quant';
import { parseByteSize } from '@layerprune/tensor-io';
import type { CommandContext } from '../cli/command-context.js';
import { formatBytes, formatCount, formatNumber, formatTable } from '../cli/output.js';
import type { Progress } from '../cli/progress.js';

export interface QuantizeOptions {
  model?: string;
  out: string;
  type?: QuantType;
  blockSize?: number;
  doubleQuant?: boolean;
  computeDtype?: 'float32' | 'bfloat16' | 'float16';
  quantizeEmbeddings?: boolean;
  quantizeLmHead?: boolean;
  quantizeNorms?: boolean;
  skipModules?: string;
  maxShardSize?: string;
  force?: boolean;
}

export interface QuantizeCommandResult {
  model: string;
  out: string;
  type: QuantType;
  blockSize: number | null;
  doubleQuant: boolean;
  /** The library's per-tensor report with its error flattened (null for kept tensors). */
  tensors: Array<
    Pick<TensorReport, 'name' | 'action' | 'shape' | 'dtype' | 'params' | 'bytesBefore' | 'bytesAfter'> & {
      /** RMSE of the dequantized weight divided by the weight's standard deviation. */
      relativeRmse: number | null;
      maxAbsError: number | null;
    }
  >;
  totals: QuantizeModelResult['totals'];
  files: string[];
}

export async function runQuantize(options: QuantizeOptions, ctx: CommandContext): Promise<QuantizeCommandResult> {
  const type = options.type ?? 'nf4';
  const bar: { current: Progress | null } = { current: null };
  const run = quantizeModelDir(options.model ?? defaultModelDir(), options.out, {
    type,
    blockSize: options.blockSize ?? 64,
    doubleQuant: options.doubleQuant === true,
    computeDtype: options.computeDtype,
    quantizeEmbeddings: options.quantizeEmbeddings,
    quantizeLmHead: options.quantizeLmHead,
    quantizeNorms: options.quantizeNorms,
    skipModules: options.skipModules?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    maxShardBytes: options.maxShardSize === undefined ? undefined : parseByteSize(options.maxShardSize),
    overwrite: options.force === true,
    onTensor: ({ index, total, report }) => {
      bar.current ??= ctx.progress({ label: 'quantize', total, unit: 'tensors' });
      const fields: Record<string, string> = { tensor: report.name };
      if (report.error) fields['rel.RMSE'] = formatNumber(report.error.relativeRmse);
      bar.current.update(index + 1, fields);
    },
  });
  const result = await run.finally(() => bar.current?.stop());
  return {
    model: result.inputDir,
    out: result.outputDir,
    type: result.type,
    blockSize: result.type === 'int8' ? null : result.blockSize,
    doubleQuant: result.doubleQuant,
    tensors: result.tensors.map((t) => ({
      name: t.name,
      action: t.action,
      shape: t.shape,
      dtype: t.dtype,
      params: t.params,
      bytesBefore: t.bytesBefore,
      bytesAfter: t.bytesAfter,
      relativeRmse: t.error?.relativeRmse ?? null,
      maxAbsError: t.error?.maxAbsError ?? null,
    })),
    totals: result.totals,
    files: result.files,
  };
}

export function renderQuantize(r: QuantizeCommandResult): string {
  const format = r.type === 'int8' ? 'int8 (row-wise absmax)' : `${r.type}, block ${r.blockSize}${r.doubleQuant ? ', double quantization' : ''}`;
  const table = formatTable(
    ['tensor', 'shape', 'dtype', 'action', 'rel.RMSE', 'max abs err', 'before', 'after'],
    [
      ...r.tensors.map((t) => [
        t.name,
        t.shape.join('x'),
        t.dtype,
        t.action,
        t.relativeRmse === null ? '-' : formatNumber(t.relativeRmse),
        t.maxAbsError === null ? '-' : formatNumber(t.maxAbsError, 5),
        formatBytes(t.bytesBefore),
        formatBytes(t.bytesAfter),
      ]),
      [
        `total (${r.totals.quantizedTensors} of ${r.totals.tensors} quantized)`,
        '',
        '',
        '',
        formatNumber(r.totals.relativeRmse),
        formatNumber(r.totals.maxAbsError, 5),
        formatBytes(r.totals.bytesBefore),
        formatBytes(r.totals.bytesAfter),
      ],
    ],
    { alignRight: [4, 5, 6, 7] },
  );
  return [
    `quantized ${r.model}`,
    `       -> ${r.out}`,
    `format ${format}; ${formatCount(r.totals.quantizedParams)} of ${formatCount(r.totals.params)} parameters quantized, ` +
      `${r.totals.bitsPerQuantizedParam.toFixed(3)} bits each with their scales`,
    `size ${formatBytes(r.totals.bytesBefore)} -> ${formatBytes(r.totals.bytesAfter)} (${((100 * r.totals.bytesAfter) / r.totals.bytesBefore).toFixed(1)}%)`,
    'rel.RMSE = RMSE of the dequantized weight / standard deviation of the weight',
    '',
    table,
    '',
    `files: ${r.files.join(', ')}`,
  ].join('\n');
}
