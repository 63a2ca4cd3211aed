// `layerprune inspect <file.safetensors | model-dir>`: what is in a weights file
// or a Hugging Face model directory, read from headers only (no tensor data),
// so it is instant on multi-gigabyte models. Thin: @layerprune/tensor-io does
// the parsing and validation; this file shapes and prints the result.
// Options and help: ./inspect-options.ts.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fourBitTensorNames, parseQuantizationConfig, parseQuantStateJson, QuantError } from '@layerprune/quant';
import { openModelFiles, openSafetensors } from '@layerprune/tensor-io';
import { checkModelWeights, expectedModelTensors, isArchitectureError, parseArchitectureConfig } from '@layerprune/architectures';
import type { DType, ModelFiles, TensorInfo } from '@layerprune/tensor-io';
import type { ArchitectureConfig } from '@layerprune/architectures';
import type { CommandContext } from '../cli/command-context.js';
import { escapeTerminal } from '../cli/escape-terminal.js';
import { formatBytes, formatCount, formatTable } from '../cli/output.js';
import { quantizedTensorKinds, type QuantizedTensorKind } from './quantized-tensor-kinds.js';

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
  /** bitsandbytes: nf4 / fp4 / int8 for a quantized weight, state for what is stored beside one. */
  quant?: QuantizedTensorKind;
  /** The quantized weight's original shape (model directories: 4-bit from its quant_state, int8 as stored). */
  logicalShape?: number[];
}

export interface InspectQuantization {
  method: 'bitsandbytes';
  /** The format of the quantized weights ('mixed' if a file holds several). */
  type: 'nf4' | 'fp4' | 'int8' | 'mixed';
  doubleQuant: boolean;
  /** Quantized weights (their state tensors not counted). */
  quantizedTensors: number;
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
  /** Counted from the weights' shapes (a quantized weight's original shape, not its packed bytes). */
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
  /** Set when bitsandbytes-quantized weights are present (e.g. the output of `layerprune quantize`). */
  quantization: InspectQuantization | null;
  /** Model directories: where the weights disagree with config.json (other commands refuse such a model). */
  problems: { code: string; message: string; tensor?: string }[];
}

/** Weight problems printed as warnings; the rest are counted (all are in --json). */
const PROBLEMS_SHOWN = 10;

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

/**
 * Parameters of a standard checkpoint of this config's family (embeddings, blocks with
 * their biases and norms, final norm, head unless tied): the required tensors of
 * architectures' expectedModelTensors, the description directory validation uses.
 */
export function expectedParameterCount(c: ArchitectureConfig): number {
  let total = 0;
  for (const t of expectedModelTensors(c)) if (t.required) total += t.shape.reduce((a, b) => a * b, 1);
  return total;
}

/** Marks the quantized weights and their state among `tensors`; null when there are none. */
function labelQuantized(tensors: InspectTensor[]): InspectQuantization | null {
  const dtypes = new Map(tensors.map((t) => [t.name, t.dtype]));
  const kinds = quantizedTensorKinds([...dtypes.keys()], (name) => dtypes.get(name) as DType);
  if (kinds.size === 0) return null;
  for (const t of tensors) {
    const kind = kinds.get(t.name);
    if (kind !== undefined) t.quant = kind;
  }
  const types = new Set([...kinds.values()].filter((k) => k !== 'state'));
  return {
    method: 'bitsandbytes',
    type: types.size === 1 ? ([...types][0] as InspectQuantization['type']) : 'mixed',
    doubleQuant: tensors.some((t) => t.quant === 'state' && t.name.endsWith('.nested_absmax')),
    quantizedTensors: tensors.filter((t) => t.quant !== undefined && t.quant !== 'state').length,
  };
}

/** Original shapes of the quantized weights: 4-bit ones from their quant_state JSON (a few hundred bytes each). */
async function readLogicalShapes(model: ModelFiles, tensors: InspectTensor[]): Promise<void> {
  for (const t of tensors) {
    if (t.quant === 'int8') t.logicalShape = t.shape;
    if (t.quant !== 'nf4' && t.quant !== 'fp4') continue;
    const stateName = fourBitTensorNames(t.name, t.quant).quantState;
    t.logicalShape = parseQuantStateJson(await model.weights.readRaw(stateName), stateName).shape;
  }
}

async function inspectFile(path: string): Promise<InspectResult> {
  const reader = await openSafetensors(path);
  try {
    const tensors = [...reader.tensors.values()].map((info) => tensorRow(info));
    const quantization = labelQuantized(tensors);
    return {
      kind: 'safetensors',
      path,
      files: [{ file: path, bytes: reader.fileSize }],
      tensors,
      totals: totalsOf(tensors),
      metadata: { ...reader.metadata },
      architecture: null,
      quantization,
      problems: [],
    };
  } finally {
    await reader.close();
  }
}

/** The parsed config, or null (with a warning) for a model_type no spec describes. */
function architectureOf(model: ModelFiles, ctx: CommandContext): ArchitectureConfig | null {
  try {
    return parseArchitectureConfig(model.rawConfig, `${model.dir}/config.json`);
  } catch (error) {
    if (!isArchitectureError(error) || error.code !== 'UNSUPPORTED_ARCHITECTURE') throw error;
    ctx.warn(`${error.message}; listing the tensors only`);
    return null;
  }
}

async function inspectModelDir(dir: string, ctx: CommandContext): Promise<InspectResult> {
  // inspect reports on broken directories rather than refusing them: the weights are
  // checked against config.json below and each problem is a warning (and in --json).
  // A family layerprune does not know is listed by tensor, without an architecture.
  const model = await openModelFiles(dir);
  try {
    const config = architectureOf(model, ctx);
    const { weights } = model;
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
    let quantization = labelQuantized(tensors);
    if (quantization !== null) {
      await readLogicalShapes(model, tensors);
      try {
        // config.json's quantization_config is what loaders go by: its format wins over the names.
        const declared = parseQuantizationConfig(model.rawConfig, `${model.dir}/config.json`);
        if (declared !== null) quantization = { ...quantization, type: declared.quantType, doubleQuant: declared.doubleQuant };
        else ctx.warn(`${model.dir}: the weights are bitsandbytes-quantized but config.json has no quantization_config; loaders will read them as plain tensors`);
      } catch (error) {
        if (!(error instanceof QuantError)) throw error;
        ctx.warn(error.message);
      }
    }
    // Parameters of the model, not bytes on disk: quantized weights count with their original shape.
    const parameterCount = tensors
      .filter((t) => t.quant !== 'state')
      .reduce((sum, t) => sum + (t.logicalShape ?? t.shape).reduce((n, d) => n * d, 1), 0);
    if (config === null) return { kind: 'model-dir', path: model.dir, files, tensors, totals, metadata, architecture: null, quantization, problems: [] };
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
      parameterCount,
      parameterCountFromConfig: expectedParameterCount(config),
    };
    if (architecture.parameterCount !== architecture.parameterCountFromConfig) {
      ctx.warn(
        `${model.dir}: the weights hold ${architecture.parameterCount} parameters but config.json implies ${architecture.parameterCountFromConfig} (non-standard layout?)`,
      );
    }
    // The same check every other command refuses a model on (quantized layouts included).
    const problems = checkModelWeights({ ...model, config }).map((p) => ({ code: p.code, message: p.message, ...(p.tensor === undefined ? {} : { tensor: p.tensor }) }));
    for (const p of problems.slice(0, PROBLEMS_SHOWN)) ctx.warn(`[${p.code}] ${p.message}`);
    if (problems.length > PROBLEMS_SHOWN) ctx.warn(`... and ${problems.length - PROBLEMS_SHOWN} more problems (listed with --json)`);
    return { kind: 'model-dir', path: model.dir, files, tensors, totals, metadata, architecture, quantization, problems };
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
  const quantized = r.quantization !== null;
  const shortFile = (file: string): string => file.slice(file.lastIndexOf('/') + 1);
  const quantCell = (t: InspectTensor): string => {
    if (t.quant === undefined) return '';
    if (t.quant === 'state') return 'state';
    return t.logicalShape ? `${t.quant} of [${t.logicalShape.join(', ')}]` : t.quant;
  };
  const tensorTable = formatTable(
    ['tensor', 'dtype', 'shape', 'params', 'bytes', ...(quantized ? ['quantized'] : []), ...(sharded ? ['file'] : [])],
    r.tensors.map((t) => [
      t.name,
      t.dtype,
      `[${t.shape.join(', ')}]`,
      formatCount(t.parameters),
      formatBytes(t.bytes),
      ...(quantized ? [quantCell(t)] : []),
      ...(t.file ? [shortFile(t.file)] : []),
    ]),
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
  // Paths, config fields and metadata come from the files: escaped, line breaks included,
  // so a value cannot start a line of its own that looks like the tool's output.
  const e = (text: string): string => escapeTerminal(text);
  const lines = [`${r.kind === 'model-dir' ? 'model directory' : 'safetensors file'} ${e(r.path)}`];
  for (const f of r.files) lines.push(`  ${e(shortFile(f.file))}  ${formatBytes(f.bytes)}`);
  const a = r.architecture;
  if (a) {
    lines.push(
      '',
      `architecture ${e(a.modelType)}: ${a.numLayers} layers, hidden ${a.hiddenSize}, intermediate ${a.intermediateSize}, ` +
        `heads ${a.numAttentionHeads} (kv ${a.numKeyValueHeads}, head dim ${a.headDim}), vocab ${a.vocabSize}` +
        `${a.tieWordEmbeddings ? ', tied embeddings' : ''}${a.torchDtype ? `, ${e(a.torchDtype)}` : ''}`,
      `parameters ${formatCount(a.parameterCount)} (${a.parameterCount})`,
    );
  }
  const q = r.quantization;
  if (q) {
    lines.push(
      `quantized bitsandbytes ${q.type}${q.doubleQuant ? ' with double quantization' : ''}: ${q.quantizedTensors} weight${q.quantizedTensors === 1 ? '' : 's'}` +
        ' (params and bytes in the tables are as stored; "quantized" gives the format and original shape)',
    );
  }
  lines.push('', tensorTable, '', dtypeTable);
  const metadata = Object.entries(r.metadata);
  if (metadata.length > 0) {
    lines.push('', 'metadata:', ...metadata.map(([k, v]) => `  ${e(k)}: ${e(typeof v === 'string' ? v : JSON.stringify(v))}`));
  }
  return lines.join('\n');
}
