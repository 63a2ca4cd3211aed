// Where bitsandbytes puts each part of a quantized weight in a state dict.
// 4-bit (Linear4bit._save_to_state_dict): `<module>.weight` holds the packed
// bytes and every QuantState field goes to `<module>.weight.<field>`.
// 8-bit (Linear8bitLt._save_to_state_dict): `<module>.weight` holds int8 and the
// row scales go to `<module>.SCB`, with `<module>.weight_format` = 0 (row-major).
import type { FourBitType } from './code-tables.js';

export interface FourBitTensorNames {
  weight: string;
  absmax: string;
  quantMap: string;
  nestedAbsmax: string;
  nestedQuantMap: string;
  quantState: string;
}

/** Names of the tensors that hold a 4-bit weight `weightName` (e.g. `model.layers.0.mlp.up_proj.weight`). */
export function fourBitTensorNames(weightName: string, type: FourBitType): FourBitTensorNames {
  return {
    weight: weightName,
    absmax: `${weightName}.absmax`,
    quantMap: `${weightName}.quant_map`,
    nestedAbsmax: `${weightName}.nested_absmax`,
    nestedQuantMap: `${weightName}.nested_quant_map`,
    quantState: `${weightName}.quant_state.bitsandbytes__${type}`,
  };
}

export interface Int8TensorNames {
  weight: string;
  scb: string;
  weightFormat: string;
}

/** Names of the tensors that hold a row-wise int8 weight `weightName`. */
export function int8TensorNames(weightName: string): Int8TensorNames {
  const prefix = weightName.endsWith('.weight') ? weightName.slice(0, -'weight'.length) : `${weightName}.`;
  return { weight: weightName, scb: `${prefix}SCB`, weightFormat: `${prefix}weight_format` };
}
