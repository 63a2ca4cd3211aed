// A small typed builder over onnx-proto's generated ModelProto: named inputs and
// outputs with symbolic dimensions, nodes with attributes, int64 constants as
// initializers, and encode() to the bytes InferenceSession.create takes. Value
// names are generated (`v0`, `v1`...) except graph inputs and outputs, so a
// graph reads like the function that builds it.
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';

const { onnx } = onnxProto;

/** A dimension: a fixed size or a symbolic name shared by every input that has it. */
export type Dim = number | string;
export type ElemType = 'float32' | 'int64' | 'uint8';
export type AttributeValue = number | { float: number } | number[] | string;

/** opset 23 has RMSNormalization, RotaryEmbedding and Attention with grouped kv heads. */
export const OPSET = 23;
/** IR version 10 (ONNX 1.16): what opset 23 models are loaded with by onnxruntime 1.30. */
export const IR_VERSION = 10;

const ELEM: Record<ElemType, number> = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64, uint8: onnx.TensorProto.DataType.UINT8 };

/** onnxruntime's contrib operators (MatMulBnb4...), opset 1. */
export const MICROSOFT_DOMAIN = 'com.microsoft';

function valueInfo(name: string, elem: ElemType, dims: readonly Dim[]): proto.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ELEM[elem], shape: { dim } } } };
}

function attribute(name: string, value: AttributeValue): proto.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'object') return { name, type: AttributeType.FLOAT, f: value.float };
  if (!Number.isInteger(value)) throw new RangeError(`attribute ${name}: ${value} is not an integer; wrap floats as { float: x }`);
  return { name, type: AttributeType.INT, i: value };
}

export class GraphBuilder {
  private readonly nodes: proto.INodeProto[] = [];
  private readonly inputs: proto.IValueInfoProto[] = [];
  private readonly outputs: proto.IValueInfoProto[] = [];
  private readonly initializers: proto.ITensorProto[] = [];
  private readonly constants = new Map<string, string>();
  private readonly domains = new Set<string>();
  /** Generated value names renamed to graph output names by output(). */
  private readonly aliases = new Map<string, string>();
  private readonly outputNames = new Set<string>();
  private next = 0;

  constructor(readonly name: string) {}

  input(name: string, elem: ElemType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  /**
   * Marks `value` as the graph output `name`. A value computed by a node of this
   * graph is renamed (its producer writes `name`, later uses are redirected), so
   * no copy is made: onnxruntime runs an Identity as a full copy, which cost the
   * training forward ten activation copies per block. Graph inputs, constants and
   * values already output under another name go through an Identity.
   */
  output(name: string, value: string, elem: ElemType, dims: readonly Dim[]): void {
    const current = this.aliases.get(value) ?? value;
    const producer = current === name ? undefined : this.nodes.find((n) => n.output?.includes(current));
    if (current !== name && producer && !this.outputNames.has(current)) {
      producer.output = producer.output!.map((o) => (o === current ? name : o));
      for (const node of this.nodes) node.input = node.input!.map((i) => (i === current ? name : i));
      this.aliases.set(value, name);
    } else if (current !== name) {
      this.nodes.push({ opType: 'Identity', input: [current], output: [name], name: `output_${name}` });
    }
    this.outputNames.add(name);
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /** Adds a node and returns its first output (pass `outputs` > 1 to get all of them via nodeOutputs). */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.opOutputs(opType, inputs, 1, attributes)[0];
  }

  /** A node with `count` outputs. An empty string in `inputs` skips an optional input. */
  opOutputs(opType: string, inputs: readonly string[], count: number, attributes: Record<string, AttributeValue> = {}, domain = ''): string[] {
    const outputs = Array.from({ length: count }, () => `v${this.next++}`);
    if (domain !== '') this.domains.add(domain);
    this.nodes.push({
      opType,
      domain,
      name: `${opType}_${outputs[0]}`,
      input: inputs.map((i) => this.aliases.get(i) ?? i),
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return outputs;
  }

  /** A 1-D int64 constant (shapes, axes), shared between uses. */
  int64s(values: readonly number[]): string {
    const key = values.join(',');
    const existing = this.constants.get(key);
    if (existing) return existing;
    const name = `c${this.constants.size}_${values.map((v) => (v < 0 ? `m${-v}` : `${v}`)).join('_')}`;
    this.initializers.push({ name, dataType: ELEM.int64, dims: [values.length], int64Data: [...values] });
    this.constants.set(key, name);
    return name;
  }

  /** A float32 constant of shape `dims` (default 1-D), shared between uses. */
  float32s(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `f${dims.join('x')}:${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing) return existing;
    const name = `f${this.constants.size}`;
    this.initializers.push({ name, dataType: ELEM.float32, dims: [...dims], floatData: [...values] });
    this.constants.set(key, name);
    return name;
  }

  encode(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: '@layerprune/engine-onnx',
      opsetImport: [{ domain: '', version: OPSET }, ...[...this.domains].map((domain) => ({ domain, version: 1 }))],
      graph: { name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
