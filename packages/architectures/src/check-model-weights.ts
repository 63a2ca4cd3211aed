// Config vs weights, from the safetensors headers alone (no tensor data is
// read): the layer count, every tensor the architecture needs, each shape
// against the config fields it derives from, float dtypes, and no tensor the
// architecture does not explain. A directory that passes loads, prunes and
// quantizes without a shape error half way through; one that fails is named
// with the file, tensor, config field and the expected vs found value.
import { join } from 'node:path';
import { SAFETENSORS_INDEX_NAME, type DType, type WeightStore } from '@layerprune/tensor-io';
import { ArchitectureError } from './errors.js';
import { expectedModelTensors, type ExpectedTensor } from './expected-model-tensors.js';
import type { ArchitectureConfig } from './parse-architecture-config.js';
import { parseLayerTensorName } from './tensor-names.js';

/** What the check needs of a model (an opened ModelDir fits). */
export interface ModelWeightsView {
  readonly dir: string;
  readonly config: ArchitectureConfig;
  readonly rawConfig: Record<string, unknown>;
  readonly weights: Pick<WeightStore, 'names' | 'info' | 'files' | 'sharded'>;
}

const FLOAT_DTYPES: readonly DType[] = ['F32', 'F16', 'BF16', 'F64'];

/**
 * Tensor-name suffixes bitsandbytes (and this project's quantizer, see
 * @layerprune/quant bnb-tensor-names.ts) stores beside a quantized `<m>.weight`:
 * 4-bit keeps every QuantState field under `<m>.weight.<field>`, int8 keeps the
 * row scales in `<m>.SCB` and the layout flag in `<m>.weight_format`.
 */
const FOUR_BIT_TYPES = ['nf4', 'fp4'] as const;
const FOUR_BIT_REQUIRED = ['absmax', 'quant_map'] as const;
const FOUR_BIT_OPTIONAL = ['nested_absmax', 'nested_quant_map'] as const;
const QUANT_COMPANION = /\.(absmax|quant_map|nested_absmax|nested_quant_map|quant_state\.bitsandbytes__\w+|SCB|weight_format)$/;

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function isBitsandbytes(rawConfig: Record<string, unknown>): boolean {
  const q = rawConfig.quantization_config;
  return typeof q === 'object' && q !== null && (q as Record<string, unknown>).quant_method === 'bitsandbytes';
}

class Checker {
  readonly problems: ArchitectureError[] = [];
  readonly names: string[];
  readonly present: Set<string>;
  /** Names accounted for: expected tensors and the quantization companions of present ones. */
  readonly explained = new Set<string>();
  readonly configFile: string;
  readonly weightsLabel: string;
  readonly quantized: boolean;

  constructor(readonly model: ModelWeightsView) {
    this.names = model.weights.names();
    this.present = new Set(this.names);
    this.configFile = join(model.dir, 'config.json');
    this.weightsLabel = model.weights.sharded ? join(model.dir, SAFETENSORS_INDEX_NAME) : (model.weights.files[0] ?? model.dir);
    this.quantized = isBitsandbytes(model.rawConfig);
  }

  fileOf(name: string): string {
    return this.model.weights.info(name).file;
  }

  /** Layer count: no tensors at or past num_hidden_layers, and every layer below it present. Returns the wholly absent layers. */
  checkLayers(): Set<number> {
    const n = this.model.config.numHiddenLayers;
    const layers = new Map<number, string>(); // layer -> first tensor name seen
    for (const name of this.names) {
      const parsed = parseLayerTensorName(name);
      if (parsed && !layers.has(parsed.layer)) layers.set(parsed.layer, name);
    }
    const found = layers.size === 0 ? 0 : Math.max(...layers.keys()) + 1;
    const beyond = [...layers.keys()].filter((l) => l >= n).sort((a, b) => a - b);
    if (beyond.length > 0) {
      const tensor = layers.get(beyond[0]) as string;
      this.problems.push(
        new ArchitectureError(
          'WEIGHTS_MISMATCH',
          `${this.configFile}: num_hidden_layers is ${n} but the weights hold ${found} layers: tensor "${tensor}" in ${this.fileOf(tensor)} belongs to layer ${beyond[0]}`,
          { file: this.configFile, tensor, field: 'num_hidden_layers', expected: n, found },
        ),
      );
    }
    const absent = new Set<number>();
    for (let layer = 0; layer < n; layer++) if (!layers.has(layer)) absent.add(layer);
    if (absent.size > 0) {
      const first = Math.min(...absent);
      const held = n - absent.size;
      this.problems.push(
        new ArchitectureError(
          'WEIGHTS_MISMATCH',
          `${this.configFile}: num_hidden_layers is ${n} but ${this.weightsLabel} has no tensor of layer ${first} (${absent.size} of the ${n} layers missing; the weights hold ${held})`,
          { file: this.configFile, tensor: `model.layers.${first}.*`, field: 'num_hidden_layers', expected: n, found: held },
        ),
      );
    }
    return absent;
  }

  checkTensor(t: ExpectedTensor): void {
    if (!this.present.has(t.name)) {
      if (!t.required) return;
      const c = this.model.config;
      const why = t.name === 'lm_head.weight' ? ' (config.json has tie_word_embeddings false)' : '';
      this.problems.push(
        new ArchitectureError(
          'TENSOR_MISSING',
          `${this.weightsLabel}: tensor "${t.name}" is missing; a ${c.modelType} model with this config.json needs it with shape ${shapeText(t.shape)}${why}`,
          { file: this.weightsLabel, tensor: t.name, expected: shapeText(t.shape), found: 'missing' },
        ),
      );
      return;
    }
    this.explained.add(t.name);
    if (this.quantized && this.checkFourBit(t)) return;
    if (this.quantized && this.checkInt8(t)) return;
    const info = this.model.weights.info(t.name);
    if (!FLOAT_DTYPES.includes(info.dtype)) {
      this.problems.push(
        new ArchitectureError('DTYPE_MISMATCH', `${info.file}: tensor "${t.name}" is ${info.dtype}; weights must be ${FLOAT_DTYPES.join(', ')}`, {
          file: info.file,
          tensor: t.name,
          field: 'dtype',
          expected: FLOAT_DTYPES.join(', '),
          found: info.dtype,
        }),
      );
      return;
    }
    this.checkShape(t, info.shape, info.file);
  }

  checkShape(t: ExpectedTensor, shape: readonly number[], file: string): void {
    if (shape.length === t.shape.length && shape.every((d, i) => d === t.shape[i])) return;
    const i = shape.length === t.shape.length ? shape.findIndex((d, k) => d !== t.shape[k]) : -1;
    const detail =
      i < 0
        ? `it has ${shape.length} dimension(s), the config implies ${t.shape.length}`
        : `dimension ${i} is ${shape[i]}, expected ${t.dims[i].size} = ${t.dims[i].explain}`;
    const field = i < 0 ? t.dims.map((d) => d.field).join(',') : t.dims[i].field;
    this.problems.push(
      new ArchitectureError(
        'SHAPE_MISMATCH',
        `${file}: tensor "${t.name}" has shape ${shapeText(shape)} but ${this.configFile} implies ${shapeText(t.shape)}: ${detail}`,
        { file, tensor: t.name, field, expected: shapeText(t.shape), found: shapeText(shape) },
      ),
    );
  }

  /** A bitsandbytes 4-bit weight: packed bytes plus companions. Header-only: the byte count must fit the config's shape. */
  checkFourBit(t: ExpectedTensor): boolean {
    const type = FOUR_BIT_TYPES.find((ty) => this.present.has(`${t.name}.quant_state.bitsandbytes__${ty}`));
    if (type === undefined) return false;
    this.explained.add(`${t.name}.quant_state.bitsandbytes__${type}`);
    for (const field of [...FOUR_BIT_REQUIRED, ...FOUR_BIT_OPTIONAL]) {
      const name = `${t.name}.${field}`;
      if (this.present.has(name)) this.explained.add(name);
      else if ((FOUR_BIT_REQUIRED as readonly string[]).includes(field)) {
        this.problems.push(
          new ArchitectureError('TENSOR_MISSING', `${this.weightsLabel}: tensor "${name}" is missing; the ${type} weight "${t.name}" needs it`, {
            file: this.weightsLabel,
            tensor: name,
            expected: field,
            found: 'missing',
          }),
        );
      }
    }
    const info = this.model.weights.info(t.name);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const bytes = Math.ceil(numel / 2);
    if (info.byteLength !== bytes) {
      this.problems.push(
        new ArchitectureError(
          'SHAPE_MISMATCH',
          `${info.file}: ${type} tensor "${t.name}" packs ${info.byteLength} bytes but ${this.configFile} implies shape ${shapeText(t.shape)} = ${numel} values = ${bytes} bytes`,
          { file: info.file, tensor: t.name, field: t.dims.map((d) => d.field).join(','), expected: bytes, found: info.byteLength },
        ),
      );
    }
    return true;
  }

  /** A bitsandbytes row-wise int8 weight: I8 in the original shape, row scales in `<m>.SCB`. */
  checkInt8(t: ExpectedTensor): boolean {
    const prefix = t.name.endsWith('.weight') ? t.name.slice(0, -'weight'.length) : `${t.name}.`;
    const scb = `${prefix}SCB`;
    const info = this.model.weights.info(t.name);
    if (info.dtype !== 'I8' || !this.present.has(scb)) return false;
    this.explained.add(scb);
    if (this.present.has(`${prefix}weight_format`)) this.explained.add(`${prefix}weight_format`);
    this.checkShape(t, info.shape, info.file);
    const scbInfo = this.model.weights.info(scb);
    const rows = t.shape[0];
    if (scbInfo.shape.length !== 1 || scbInfo.shape[0] !== rows) {
      this.problems.push(
        new ArchitectureError('SHAPE_MISMATCH', `${scbInfo.file}: tensor "${scb}" has shape ${shapeText(scbInfo.shape)}, expected [${rows}] (one scale per row of "${t.name}")`, {
          file: scbInfo.file,
          tensor: scb,
          field: t.dims[0].field,
          expected: `[${rows}]`,
          found: shapeText(scbInfo.shape),
        }),
      );
    }
    return true;
  }

  checkUnexpected(): void {
    const c = this.model.config;
    for (const name of this.names) {
      if (this.explained.has(name)) continue;
      const parsed = parseLayerTensorName(name);
      if (parsed && parsed.layer >= c.numHiddenLayers) continue; // reported as WEIGHTS_MISMATCH
      let hint = `it is not part of a ${c.modelType} model with this config.json`;
      if (QUANT_COMPANION.test(name) && !this.quantized) hint = 'it looks like a bitsandbytes quantization tensor, but config.json has no bitsandbytes quantization_config';
      else if (name.endsWith('.bias')) hint = `config.json does not give this module a bias (model_type ${c.modelType}, attention_bias ${c.attentionBias})`;
      const file = this.fileOf(name);
      this.problems.push(
        new ArchitectureError('TENSOR_UNEXPECTED', `${file}: unexpected tensor "${name}": ${hint}`, {
          file,
          tensor: name,
          expected: 'absent',
          found: shapeText(this.model.weights.info(name).shape),
        }),
      );
    }
  }
}

/**
 * Every disagreement between config.json and the weights, most fundamental
 * first (layer count, then each expected tensor in checkpoint order, then
 * unexplained tensors); empty when the directory is consistent. Reads headers only.
 */
export function checkModelWeights(model: ModelWeightsView): ArchitectureError[] {
  const checker = new Checker(model);
  const absentLayers = checker.checkLayers();
  for (const t of expectedModelTensors(model.config)) {
    // A layer with no tensor at all is one WEIGHTS_MISMATCH, not a dozen TENSOR_MISSING.
    if (t.layer !== null && absentLayers.has(t.layer)) continue;
    checker.checkTensor(t);
  }
  checker.checkUnexpected();
  return checker.problems;
}
