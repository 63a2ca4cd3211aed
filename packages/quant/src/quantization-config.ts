// The `quantization_config` of config.json, as transformers' BitsAndBytesConfig
// writes it (`to_dict()`, keys sorted). With it, transformers loads the
// directory as a pre-quantized bitsandbytes checkpoint; without it the packed
// weights would be read as plain tensors.
import { QuantError } from './errors.js';
import type { QuantType, TorchDtypeName } from './types.js';

export interface QuantizationConfigOptions {
  type: QuantType;
  doubleQuant: boolean;
  /** dtype the 4-bit matmuls run in (`bnb_4bit_compute_dtype`). */
  computeDtype: TorchDtypeName;
  /** Linear modules left unquantized (`llm_int8_skip_modules`), e.g. ["lm_head"]. */
  skipModules: string[];
}

export function bitsandbytesQuantizationConfig(options: QuantizationConfigOptions): Record<string, unknown> {
  const fourBit = options.type !== 'int8';
  return {
    _load_in_4bit: fourBit,
    _load_in_8bit: !fourBit,
    bnb_4bit_compute_dtype: options.computeDtype,
    bnb_4bit_quant_storage: 'uint8',
    bnb_4bit_quant_type: fourBit ? options.type : 'fp4',
    bnb_4bit_use_double_quant: fourBit && options.doubleQuant,
    llm_int8_enable_fp32_cpu_offload: false,
    llm_int8_has_fp16_weight: false,
    llm_int8_skip_modules: options.skipModules,
    llm_int8_threshold: 6.0,
    load_in_4bit: fourBit,
    load_in_8bit: !fourBit,
    quant_method: 'bitsandbytes',
  };
}

/** What a reader needs from a quantization_config; null when the config has none. */
export interface QuantizationInfo {
  quantMethod: 'bitsandbytes';
  loadIn4bit: boolean;
  loadIn8bit: boolean;
  quantType: QuantType;
  doubleQuant: boolean;
  computeDtype: string | null;
  skipModules: string[] | null;
}

/** Reads `quantization_config` from a raw config.json object (`file` names it in errors). */
export function parseQuantizationConfig(rawConfig: Record<string, unknown>, file: string): QuantizationInfo | null {
  const raw = rawConfig.quantization_config;
  if (raw === undefined || raw === null) return null;
  const fail = (why: string, field: string): never => {
    throw new QuantError('STATE_INVALID', `${file}: quantization_config ${why}`, { file, field });
  };
  if (typeof raw !== 'object' || Array.isArray(raw)) return fail('is not an object', 'quantization_config');
  const q = raw as Record<string, unknown>;
  if (q.quant_method !== 'bitsandbytes') {
    throw new QuantError('UNSUPPORTED_TYPE', `${file}: quant_method ${JSON.stringify(q.quant_method)} is not supported (only bitsandbytes)`, {
      file,
      field: 'quant_method',
    });
  }
  const loadIn4bit = q.load_in_4bit === true || q._load_in_4bit === true;
  const loadIn8bit = q.load_in_8bit === true || q._load_in_8bit === true;
  if (loadIn4bit === loadIn8bit) return fail('must set exactly one of load_in_4bit and load_in_8bit', 'load_in_4bit');
  const fourBitType = q.bnb_4bit_quant_type ?? 'fp4'; // transformers' default
  if (loadIn4bit && fourBitType !== 'nf4' && fourBitType !== 'fp4') {
    return fail(`bnb_4bit_quant_type ${JSON.stringify(fourBitType)} is not nf4 or fp4`, 'bnb_4bit_quant_type');
  }
  const skip = q.llm_int8_skip_modules;
  return {
    quantMethod: 'bitsandbytes',
    loadIn4bit,
    loadIn8bit,
    quantType: loadIn4bit ? (fourBitType as QuantType) : 'int8',
    doubleQuant: loadIn4bit && q.bnb_4bit_use_double_quant === true,
    computeDtype: typeof q.bnb_4bit_compute_dtype === 'string' ? q.bnb_4bit_compute_dtype : null,
    skipModules: Array.isArray(skip) ? skip.filter((s): s is string => typeof s === 'string') : null,
  };
}
