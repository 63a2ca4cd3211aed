// Quantizes a Hugging Face model directory into a new one that loads where a
// bitsandbytes checkpoint loads: quantized weights under bitsandbytes' names,
// other tensors copied byte for byte, config.json with a quantization_config,
// tokenizer and other files copied. The input is only read; the output appears
// atomically (@layerprune/safe-output: checked, locked, temporary sibling, fsync,
// rename), and `overwrite` replaces only a previous layerprune output.
import { writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { checkOutputTarget, requireReplaceable, writeOutputDirectory } from '@layerprune/safe-output';
import { copyModelFiles, MODEL_CARD_NAME, packageInfo, readModelCard, renderDerivedModelCard, writeShardedSafetensors, type DType, type TensorSource } from '@layerprune/tensor-io';
import { openModelDir } from '@layerprune/architectures';
import { checkBlockSize } from './check-block-size.js';
import { dequantize } from './dequantize.js';
import { QuantError } from './errors.js';
import { measureQuantError, type QuantErrorStats } from './measure-quant-error.js';
import { planQuantization, type QuantizationSelection } from './plan-quantization.js';
import { bitsandbytesQuantizationConfig } from './quantization-config.js';
import { quantize4bit } from './quantize-4bit.js';
import { quantizeInt8Rowwise } from './quantize-int8-rowwise.js';
import { quantizedTensorSources } from './quantized-tensor-sources.js';
import type { TensorCategory } from './tensor-category.js';
import type { QuantizedState, QuantType, TorchDtypeName } from './types.js';

export interface QuantizeModelOptions extends QuantizationSelection {
  /** 'nf4' (default), 'fp4' or 'int8'. */
  type?: QuantType;
  /** 4-bit block size, a power of two in 32..4096; default 64. */
  blockSize?: number;
  /** Double-quantize the 4-bit absmax values; default false. */
  doubleQuant?: boolean;
  /** `bnb_4bit_compute_dtype` written to the config; default 'float32' (what this toolkit computes in). */
  computeDtype?: TorchDtypeName;
  /** Largest safetensors shard (tensor bytes); default 5 GB like transformers. */
  maxShardBytes?: number;
  /** Replace an existing output directory that layerprune wrote; default false (OUTPUT_EXISTS). Never replaces anything else (OUTPUT_NOT_OURS). */
  overwrite?: boolean;
  /** Called after each tensor is quantized or planned for copying. */
  onTensor?: (event: { index: number; total: number; report: TensorReport }) => void;
}

export interface TensorReport {
  name: string;
  category: TensorCategory;
  shape: number[];
  /** dtype in the input. */
  dtype: DType;
  action: 'quantized' | 'kept';
  params: number;
  bytesBefore: number;
  /** Bytes of every tensor written for it (packed weight, absmax, maps, state). */
  bytesAfter: number;
  /** Error of the dequantized weight against the input; null for kept tensors. */
  error: Pick<QuantErrorStats, 'rmse' | 'std' | 'relativeRmse' | 'maxAbsError'> | null;
}

export interface QuantizeModelResult {
  inputDir: string;
  outputDir: string;
  type: QuantType;
  blockSize: number;
  doubleQuant: boolean;
  tensors: TensorReport[];
  totals: {
    tensors: number;
    quantizedTensors: number;
    params: number;
    quantizedParams: number;
    bytesBefore: number;
    bytesAfter: number;
    /** sqrt(sum of squared errors / sum of squared deviations) over all quantized tensors. */
    relativeRmse: number;
    maxAbsError: number;
    /** Storage of the quantized tensors per parameter, scales and state included. */
    bitsPerQuantizedParam: number;
  };
  /** Files written, relative to outputDir. */
  files: string[];
}

const DTYPE_NAMES: Partial<Record<DType, TorchDtypeName>> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };
const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

function byteLengthOf(sources: TensorSource[]): number {
  const size: Partial<Record<DType, number>> = { F32: 4, U8: 1, I8: 1 };
  return sources.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * (size[s.dtype] ?? 0), 0);
}

/** What a quantization did, as the lines of the output's model card. */
function quantizeCardDetails(q: { type: QuantType; blockSize: number; doubleQuant: boolean; computeDtype: TorchDtypeName; reports: TensorReport[] }): string[] {
  const quantized = q.reports.filter((r) => r.action === 'quantized');
  const kept = q.reports.length - quantized.length;
  return [
    q.type === 'int8'
      ? 'Type: int8, row-wise absmax scales (bitsandbytes LLM.int8 layout)'
      : `Type: ${q.type}, block size ${q.blockSize} (bitsandbytes 4-bit layout)`,
    ...(q.type === 'int8'
      ? []
      : [`Double quantization of the absmax scales: ${q.doubleQuant ? 'yes' : 'no'}`, `bnb_4bit_compute_dtype: ${q.computeDtype}`]),
    `Tensors quantized: ${quantized.length}; kept unquantized, in their source dtype and bytes: ${kept}`,
    'Load with transformers and bitsandbytes (config.json has the quantization_config)',
  ];
}

/** Quantizes the model in `inputDir` into the new directory `outputDir`. */
export async function quantizeModelDir(inputDir: string, outputDir: string, options: QuantizeModelOptions = {}): Promise<QuantizeModelResult> {
  const type = options.type ?? 'nf4';
  const blockSize = options.blockSize ?? 64;
  const doubleQuant = type !== 'int8' && options.doubleQuant === true;
  if (type !== 'nf4' && type !== 'fp4' && type !== 'int8') {
    throw new QuantError('UNSUPPORTED_TYPE', `quantization type "${String(type)}" is not nf4, fp4 or int8`, { field: 'type' });
  }
  if (type !== 'int8') checkBlockSize(blockSize);
  const input = resolve(inputDir);
  const output = resolve(outputDir);

  const model = await openModelDir(input);
  try {
    const inputs = [model.dir, ...model.weights.files];
    // Refuse an unsafe output before hours of quantizing; checked again under the lock when writing.
    requireReplaceable(await checkOutputTarget(output, { inputs }), options.overwrite === true);
    if (model.rawConfig.quantization_config !== undefined) {
      throw new QuantError('ALREADY_QUANTIZED', `${join(input, 'config.json')} already has a quantization_config`, {
        file: join(input, 'config.json'),
        field: 'quantization_config',
      });
    }
    const names = model.weights.names();
    const plan = planQuantization(
      names.map((name) => {
        const { dtype, shape } = model.weights.info(name);
        return { name, dtype, shape };
      }),
      type,
      options,
    );
    const states = new Map<string, QuantizedState>();
    // Pooled over tensors: total error energy over total variance energy.
    const pool = { sumSquaredError: 0, sumSquaredDeviation: 0, maxAbsError: 0 };
    const reports: TensorReport[] = [];
    let scratch = new Float32Array(0);
    for (const [index, tensor] of plan.entries()) {
      const info = model.weights.info(tensor.name);
      const params = tensor.shape.reduce((a, b) => a * b, 1);
      let report: TensorReport;
      if (tensor.action === 'keep') {
        report = { ...tensor, action: 'kept', params, bytesBefore: info.byteLength, bytesAfter: info.byteLength, error: null };
      } else {
        const values = await model.weights.readFloat32(tensor.name);
        const dtype = DTYPE_NAMES[tensor.dtype] ?? 'float32';
        const state: QuantizedState =
          type === 'int8'
            ? quantizeInt8Rowwise(values, tensor.shape, { name: tensor.name, dtype })
            : quantize4bit(values, { type, blockSize, doubleQuant, shape: tensor.shape, dtype, name: tensor.name });
        if (scratch.length < params) scratch = new Float32Array(params);
        const stats = measureQuantError(values, dequantize(state, { out: scratch }));
        states.set(tensor.name, state);
        pool.sumSquaredError += stats.sumSquaredError;
        pool.sumSquaredDeviation += stats.sumSquaredDeviation;
        pool.maxAbsError = Math.max(pool.maxAbsError, stats.maxAbsError);
        const bytesAfter = byteLengthOf(quantizedTensorSources(tensor.name, state));
        const error = { rmse: stats.rmse, std: stats.std, relativeRmse: stats.relativeRmse, maxAbsError: stats.maxAbsError };
        report = { ...tensor, action: 'quantized', params, bytesBefore: info.byteLength, bytesAfter, error };
      }
      reports.push(report);
      options.onTensor?.({ index, total: plan.length, report });
    }

    const sources: TensorSource[] = plan.flatMap((tensor) => {
      const state = states.get(tensor.name);
      if (state) return quantizedTensorSources(tensor.name, state);
      return [{ name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, read: () => model.weights.readRaw(tensor.name) }];
    });
    // Linear modules that stay dense must be named, or transformers would build
    // 4-bit layers for them. lm_head is listed even when absent (tied to the
    // embeddings): a quantized head cannot share the embedding's weight.
    const lmHeadQuantized = plan.some((t) => t.category === 'lm_head' && t.action === 'quantize');
    const skipModules = [
      ...(lmHeadQuantized ? [] : ['lm_head']),
      ...plan.filter((t) => t.action === 'keep' && t.category === 'block-linear').map((t) => t.name.replace(/\.weight$/, '')),
    ];
    const config = {
      ...model.rawConfig,
      quantization_config: bitsandbytesQuantizationConfig({
        type,
        doubleQuant,
        computeDtype: options.computeDtype ?? 'float32',
        skipModules,
      }),
    };
    const written = await writeOutputDirectory(output, { inputs, force: options.overwrite === true, command: 'quantize' }, async (temp) => {
      // transformers refuses safetensors whose metadata lacks format "pt".
      const written = await writeShardedSafetensors(temp, sources, {
        maxShardBytes: options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES,
        metadata: { format: 'pt' },
      });
      await writeFile(join(temp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
      // As regular files with the content; a link to outside the model directory is refused (SYMLINK_OUTSIDE_MODEL_DIR).
      const copied = await copyModelFiles(model, temp, { exclude: [MODEL_CARD_NAME] });
      const tool = packageInfo(import.meta.url);
      const card = renderDerivedModelCard({
        base: model.dir,
        kind: 'quantized',
        details: quantizeCardDetails({ type, blockSize, doubleQuant, computeDtype: options.computeDtype ?? 'float32', reports }),
        toolName: tool.name,
        toolVersion: tool.version,
        sourceCard: await readModelCard(model),
      });
      await writeFile(join(temp, MODEL_CARD_NAME), card);
      const weightFiles = [...written.files, ...(written.indexPath ? [written.indexPath] : [])].map((f) => basename(f));
      return ['config.json', ...weightFiles, ...copied.copied, MODEL_CARD_NAME].sort();
    });
    const files = written.result;

    const quantized = reports.filter((r) => r.action === 'quantized');
    const quantizedParams = quantized.reduce((a, r) => a + r.params, 0);
    return {
      inputDir: input,
      outputDir: written.dir,
      type,
      blockSize,
      doubleQuant,
      tensors: reports,
      totals: {
        tensors: reports.length,
        quantizedTensors: quantized.length,
        params: reports.reduce((a, r) => a + r.params, 0),
        quantizedParams,
        bytesBefore: reports.reduce((a, r) => a + r.bytesBefore, 0),
        bytesAfter: reports.reduce((a, r) => a + r.bytesAfter, 0),
        relativeRmse: pool.sumSquaredDeviation === 0 ? 0 : Math.sqrt(pool.sumSquaredError / pool.sumSquaredDeviation),
        maxAbsError: pool.maxAbsError,
        bitsPerQuantizedParam: quantizedParams === 0 ? 0 : (quantized.reduce((a, r) => a + r.bytesAfter, 0) * 8) / quantizedParams,
      },
      files,
    };
  } finally {
    await model.close();
  }
}
