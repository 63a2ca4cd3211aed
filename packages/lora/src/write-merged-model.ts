// `--merge`: a full Hugging Face model directory with every adapter folded into
// its base weight. Weights keep each source tensor's dtype (bf16 stays bf16)
// unless `dtype` asks for another one; when the adapter was trained over a 4-bit
// base, pass that base so the merge starts from the dequantized NF4 weights the
// adapter was trained against: the merged float32 values are then rounded to the
// source dtype too (the result is no longer 4-bit, the source model never was).
// A bitsandbytes-quantized source (`layerprune quantize` output) gives a dense
// model: every quantized weight dequantized (float32 unless `dtype` is given),
// the quantization_config dropped.
// An adapter on a fused Phi-3 tensor (qkv_proj, gate_up_proj) merges into that
// tensor: W += scaling * B A with B's rows covering all of its parts.
// The model card (README.md) is rewritten: base model, adapter, dtypes.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isQuantizedModelDir, openQuantizedWeights } from '@layerprune/quant';
import { writeOutputDirectory } from '@layerprune/safe-output';
import { copyModelFiles, MODEL_CARD_NAME, packageInfo, readModelCard, renderDerivedModelCard, writeFileAtomic, writeShardedSafetensors, type DType, type TensorSource } from '@layerprune/tensor-io';
import { openModelDir } from '@layerprune/architectures';
import type { FrozenBase } from './frozen-base.js';
import type { LoraAdapters } from './lora-adapters.js';
import { LoraError } from './lora-error.js';
import { mergeLoraWeight } from './merge-lora-weight.js';

export interface WriteMergedModelOptions {
  /** Output dtype of floating-point weights; default: each tensor's source dtype, also over a 4-bit base. */
  dtype?: 'F32' | 'F16' | 'BF16';
  /** The 4-bit base the adapter was trained over: merge into its dequantized weights. */
  quantizedBase?: FrozenBase;
  /** Shard size; default 5 GB (transformers' save_pretrained default). */
  maxShardBytes?: number;
  /** Replace an existing merged model that layerprune wrote (default true: a re-merge replaces the previous one). */
  force?: boolean;
}

export interface MergedModel {
  dir: string;
  files: string[];
  mergedModules: number;
}

const TORCH_DTYPE: Record<string, string> = { F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

export async function writeMergedModel(modelDir: string, adapters: LoraAdapters, outDir: string, options: WriteMergedModelOptions = {}): Promise<MergedModel> {
  const source = await openModelDir(modelDir);
  const out = resolve(outDir);
  try {
    if (source.config.numHiddenLayers <= Math.max(-1, ...adapters.modules.map((p) => p.layer))) {
      throw new LoraError('ADAPTER_MISMATCH', `adapter has modules at block ${Math.max(...adapters.modules.map((p) => p.layer))}, the model in ${source.dir} has ${source.config.numHiddenLayers} blocks`, {
        file: source.dir,
      });
    }
    const byWeight = new Map(adapters.modules.map((p) => [`${p.path}.weight`, p]));
    const fromNf4 = options.quantizedBase?.bits === 4 ? options.quantizedBase : null;
    // Logical tensors of a quantized source (the packed codes and their companions hidden behind each weight).
    const quantized = (await isQuantizedModelDir(source.dir)) ? await openQuantizedWeights(source) : null;
    const kindOf = (name: string): string => (quantized ? quantized.entry(name).kind : 'dense');
    const outputDtypes = new Set<string>();
    const sourceDtypes = new Set<string>();
    const sources: TensorSource[] = (quantized ? quantized.names() : source.weights.names()).map((name) => {
      const stored = source.weights.info(name);
      const kind = kindOf(name);
      const dequantized = kind !== 'dense';
      const info = dequantized ? { dtype: 'F32' as DType, shape: quantized!.entry(name).shape } : stored;
      const isFloat = info.dtype === 'F32' || info.dtype === 'F16' || info.dtype === 'BF16' || info.dtype === 'F64';
      const pair = byWeight.get(name);
      const fromQuantized = pair !== undefined && fromNf4 !== null;
      const dtype: DType = !isFloat ? info.dtype : (options.dtype ?? info.dtype);
      if (isFloat) {
        outputDtypes.add(dtype);
        sourceDtypes.add(dequantized ? kind : info.dtype);
      }
      return {
        name,
        dtype,
        shape: info.shape,
        read: async () => {
          // Tensors without an adapter, in their own dtype: byte for byte.
          if (!dequantized && (!isFloat || (pair === undefined && dtype === info.dtype))) return source.weights.readRaw(name);
          const values = fromQuantized ? fromNf4.storedLinear(pair.layer, pair.name).slice() : await (quantized ?? source.weights).readFloat32(name);
          if (pair) {
            if (values.length !== pair.outFeatures * pair.inFeatures) {
              throw new LoraError('ADAPTER_MISMATCH', `${name} has ${values.length} values, the adapter expects [${pair.outFeatures}, ${pair.inFeatures}]`, {
                file: source.dir,
                module: pair.path,
              });
            }
            mergeLoraWeight(values, pair, adapters.config.rank, adapters.scaling);
          }
          return values;
        },
      };
    });
    for (const p of adapters.modules) {
      const name = `${p.path}.weight`;
      if (!source.weights.has(name)) {
        throw new LoraError('ADAPTER_MISMATCH', `adapter module ${p.path} has no base weight "${name}" in ${source.dir}`, { file: source.dir, module: p.path });
      }
    }
    const inputs = [source.dir, ...source.weights.files];
    const written = await writeOutputDirectory(out, { inputs, force: options.force ?? true, command: 'merge' }, async (temp) => {
      await writeShardedSafetensors(temp, sources, { maxShardBytes: options.maxShardBytes ?? 5_000_000_000, metadata: { format: 'pt' } });
      const config = { ...source.rawConfig };
      if (quantized) delete config.quantization_config;
      if (outputDtypes.size === 1) config.torch_dtype = TORCH_DTYPE[[...outputDtypes][0]] ?? config.torch_dtype;
      await writeFileAtomic(join(temp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
      await copyModelFiles(source, temp, { exclude: [MODEL_CARD_NAME] });
      const tool = packageInfo(import.meta.url);
      const lora = adapters.config;
      const card = renderDerivedModelCard({
        base: source.dir,
        kind: 'merged-lora',
        details: [
          `Adapter: LoRA rank ${lora.rank}, alpha ${lora.alpha} (scaling ${adapters.scaling}${lora.useRslora ? ', rsLoRA' : ''}), target modules ${lora.targetModules.join(', ')}`,
          `Modules merged: ${adapters.modules.length}${lora.layersToTransform === null ? '' : ` (blocks ${lora.layersToTransform.join(', ')})`}`,
          fromNf4
            ? `Merged into: the dequantized ${quantized?.quantization?.loadIn4bit ? quantized.quantization.quantType.toUpperCase() : 'NF4'} (4-bit) weights the adapter was trained against (QLoRA)`
            : `Merged into: the source weights${quantized ? ' (dequantized)' : ''}`,
          `Source dtype: ${[...sourceDtypes].map((d) => TORCH_DTYPE[d] ?? d).join(', ')}; merged weights written as ${[...outputDtypes].map((d) => TORCH_DTYPE[d] ?? d).join(', ')}${options.dtype ? ' (asked)' : ''}`,
        ],
        toolName: tool.name,
        toolVersion: tool.version,
        sourceCard: await readModelCard(source),
      });
      await writeFileAtomic(join(temp, MODEL_CARD_NAME), card);
    });
    return { dir: written.dir, files: (await readdir(written.dir)).sort(), mergedModules: adapters.modules.length };
  } catch (error) {
    if (error instanceof LoraError) throw error;
    if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && error.name !== 'Error') throw error;
    throw new LoraError('WRITE_FAILED', `could not write merged model to ${out}: ${(error as Error).message}`, { file: out, cause: error });
  } finally {
    await source.close();
  }
}
