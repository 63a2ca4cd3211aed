// `layerprune inspect <file.safetensors | model-dir>`: what is in a weights file
// or a Hugging Face model directory, read from headers only (no tensor data),
// so it is instant on multi-gigabyte models. Thin: @layerprune/tensor-io does
// the parsing and validation; this file shapes and prints the result.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openModelDir, openSafetensors } from '@layerprune/tensor-io';
import type { DType, LlamaFamilyConfig, TensorInfo } from '@layerprune/tensor-io';
import type { CommandContext } from '../cli/command-context.js';
import { defineCommand } from '../cli/define-command.js';
import { formatBytes, formatCount, formatTable } from '../cli/output.js';

export interface InspectOptions {
  path: string;
}

export interface InspectTensor {
  name: string;
  dtype: DType;
  shape: number[];
  /** Element count. */
  parameters: number;
  bytes: number;
  /** Shard holding the tensor (model directories only). */
  file?: string;
}

export interface InspectTotals {
  tensors: number;
  parameters: number;
  bytes: number;
  byDtype: Partial<Record<DType, { tensors: number; parameters: number; bytes: number }>>;
}

export interface InspectArchitecture {
  modelType: string;
  numLayers: number;
  hiddenSize: number;
  intermediateSize: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  vocabSize: number;
  tieWordEmbeddings: boolean;
  torchDtype: string | null;
  /** Counted from the weights' shapes. */
  parameterCount: number;
  /** What config.json implies for a standard Llama-family layout. */
  parameterCountFromConfig: number;
}

export interface InspectResult {
  kind: 'safetensors' | 'model-dir';
  path: string;
  files: { file: string; bytes: number }[];
  tensors: InspectTensor[];
  totals: InspectTotals;
  /** `__metadata__` of the file (for a model directory: of each weights file, merged, plus the index metadata). */
  metadata: Record<string, unknown>;
  architecture: InspectArchitecture | null;
}

function tensorRow(info: TensorInfo, file?: string): InspectTensor {
  const parameters = info.shape.reduce((n, d) => n * d, 1);
  return { name: info.name, dtype: info.dtype, shape: info.shape, parameters, bytes: info.byteLength, ...(file === undefined ? {} : { file }) };
}

function totalsOf(tensors: InspectTensor[]): InspectTotals {
  const totals: InspectTotals = { tensors: tensors.length, parameters: 0, bytes: 0, byDtype: {} };
  for (const t of tensors) {
    totals.parameters += t.parameters;
    totals.bytes += t.bytes;
    const entry = (totals.byDtype[t.dtype] ??= { tensors: 0, parameters: 0, bytes: 0 });
    entry.tensors += 1;
    entry.parameters += t.parameters;
    entry.bytes += t.bytes;
  }
  return totals;
}

/** Parameters of a standard Llama/Mistral/Qwen2 checkpoint with this config (embeddings, blocks, final norm, head). */
export function expectedParameterCount(c: LlamaFamilyConfig): number {
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  const attention = c.hiddenSize * q + 2 * c.hiddenSize * kv + q * c.hiddenSize;
  // Qwen2 has q/k/v biases; Llama's attention_bias adds o_proj's too.
  const biases = c.attentionBias ? q + 2 * kv + (c.modelType === 'llama' ? c.hiddenSize : 0) : 0;
  const block = attention + biases + 3 * c.hiddenSize * c.intermediateSize + 2 * c.hiddenSize;
  const embeddings = c.vocabSize * c.hiddenSize;
  return embeddings + c.numHiddenLayers * block + c.hiddenSize + (c.tieWordEmbeddings ? 0 : embeddings);
}

async function inspectFile(path: string): Promise<InspectResult> {
  const reader = await openSafetensors(path);
  try {
    const tensors = [...reader.tensors.values()].map((info) => tensorRow(info));
    return {
      kind: 'safetensors',
      path,
      files: [{ file: path, bytes: reader.fileSize }],
      tensors,
      totals: totalsOf(tensors),
      metadata: { ...reader.metadata },
      architecture: null,
    };
  } finally {
    await reader.close();
  }
}

async function inspectModelDir(dir: string, ctx: CommandContext): Promise<InspectResult> {
  const model = await openModelDir(dir);
  try {
    const { weights, config } = model;
    const tensors = weights.names().map((name) => {
      const info = weights.info(name);
      return tensorRow(info, weights.sharded ? info.file : undefined);
    });
    const files = await Promise.all(weights.files.map(async (file) => ({ file, bytes: (await stat(file)).size })));
    const metadata: Record<string, unknown> = {};
    for (const file of weights.files) {
      const reader = await openSafetensors(file);
      Object.assign(metadata, reader.metadata);
      await reader.close();
    }
    if (weights.index) metadata.index = weights.index.metadata;
    const totals = totalsOf(tensors);
    const architecture: InspectArchitecture = {
      modelType: config.modelType,
      numLayers: config.numHiddenLayers,
      hiddenSize: config.hiddenSize,
      intermediateSize: config.intermediateSize,
      numAttentionHeads: config.numAttentionHeads,
      numKeyValueHeads: config.numKeyValueHeads,
      headDim: config.headDim,
      vocabSize: config.vocabSize,
      tieWordEmbeddings: config.tieWordEmbeddings,
      torchDtype: config.torchDtype,
      parameterCount: totals.parameters,
      parameterCountFromConfig: expectedParameterCount(config),
    };
    if (architecture.parameterCount !== architecture.parameterCountFromConfig) {
      ctx.warn(
        `${model.dir}: the weights hold ${architecture.parameterCount} parameters but config.json implies ${architecture.parameterCountFromConfig} (non-standard or quantized layout?)`,
      );
    }
    return { kind: 'model-dir', path: model.dir, files, tensors, totals, metadata, architecture };
  } finally {
    await model.close();
  }
}

/** Inspects a .safetensors file or a model directory (decided by what `path` is). */
export async function runInspect(options: InspectOptions, ctx: CommandContext): Promise<InspectResult> {
  const path = resolve(options.path);
  const isDir = await stat(path).then(
    (s) => s.isDirectory(),
    () => false, // missing paths fall through to openSafetensors, which reports FILE_NOT_FOUND
  );
  return isDir ? inspectModelDir(path, ctx) : inspectFile(path);
}

export function renderInspect(r: InspectResult): string {
  const sharded = r.tensors.some((t) => t.file !== undefined);
  const shortFile = (file: string): string => file.slice(file.lastIndexOf('/') + 1);
  const tensorTable = formatTable(
    ['tensor', 'dtype', 'shape', 'params', 'bytes', ...(sharded ? ['file'] : [])],
    r.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, formatCount(t.parameters), formatBytes(t.bytes), ...(t.file ? [shortFile(t.file)] : [])]),
    { alignRight: [3, 4] },
  );
  const dtypeTable = formatTable(
    ['dtype', 'tensors', 'params', 'bytes'],
    [
      ...Object.entries(r.totals.byDtype).map(([dtype, s]) => [dtype, s.tensors, formatCount(s.parameters), formatBytes(s.bytes)]),
      ['total', r.totals.tensors, formatCount(r.totals.parameters), formatBytes(r.totals.bytes)],
    ],
    { alignRight: [1, 2, 3] },
  );
  const lines = [`${r.kind === 'model-dir' ? 'model directory' : 'safetensors file'} ${r.path}`];
  for (const f of r.files) lines.push(`  ${shortFile(f.file)}  ${formatBytes(f.bytes)}`);
  const a = r.architecture;
  if (a) {
    lines.push(
      '',
      `architecture ${a.modelType}: ${a.numLayers} layers, hidden ${a.hiddenSize}, intermediate ${a.intermediateSize}, ` +
        `heads ${a.numAttentionHeads} (kv ${a.numKeyValueHeads}, head dim ${a.headDim}), vocab ${a.vocabSize}` +
        `${a.tieWordEmbeddings ? ', tied embeddings' : ''}${a.torchDtype ? `, ${a.torchDtype}` : ''}`,
      `parameters ${formatCount(a.parameterCount)} (${a.parameterCount})`,
    );
  }
  lines.push('', tensorTable, '', dtypeTable);
  const metadata = Object.entries(r.metadata);
  if (metadata.length > 0) {
    lines.push('', 'metadata:', ...metadata.map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`));
  }
  return lines.join('\n');
}

export const inspectCommand = defineCommand<InspectOptions, InspectResult>({
  command: 'inspect <path>',
  describe: 'List the tensors, sizes, metadata and architecture of a .safetensors file or model directory (reads headers only)',
  builder: (y) => y.positional('path', { type: 'string', demandOption: true, describe: 'A .safetensors file or a Hugging Face model directory' }),
  run: (args, ctx) => runInspect({ path: args.path }, ctx),
  render: (result) => renderInspect(result),
});
