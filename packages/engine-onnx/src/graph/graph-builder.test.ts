// The builder's output is a valid ONNX model that onnxruntime runs, with
// symbolic dimensions, shared int64 constants and float attributes.
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, IR_VERSION, OPSET } from './graph-builder.js';

describe('GraphBuilder', () => {
  it('encodes a model that decodes back to the same graph and runs', async () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', 'float32', ['rows', 4]);
    const scale = g.input('scale', 'float32', [4]);
    const normed = g.op('RMSNormalization', [x, scale], { axis: -1, epsilon: { float: 0.5 } });
    const flat = g.op('Reshape', [normed, g.int64s([-1])]);
    g.op('Reshape', [normed, g.int64s([-1])]); // the same constant is reused, not duplicated
    g.output('y', flat, 'float32', ['n']);
    const bytes = g.encode();
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    expect(Number(model.irVersion)).toBe(IR_VERSION);
    expect(Number(model.opsetImport[0].version)).toBe(OPSET);
    expect(model.graph!.initializer).toHaveLength(1);
    expect(model.graph!.input!.map((i) => i.name)).toEqual(['x', 'scale']);
    expect(model.graph!.input![0].type!.tensorType!.shape!.dim![0].dimParam).toBe('rows');

    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    const data = Float32Array.from([1, 2, 3, 4, -2, 0, 2, 0]);
    const out = await session.run({ x: new ort.Tensor('float32', data, [2, 4]), scale: new ort.Tensor('float32', Float32Array.from([1, 1, 2, 2]), [4]) });
    await session.release();
    // Independent computation: x / sqrt(mean(x^2) + eps) * scale.
    const expected: number[] = [];
    for (let r = 0; r < 2; r++) {
      const row = Array.from(data.subarray(r * 4, r * 4 + 4));
      const rms = Math.sqrt(row.reduce((s, v) => s + v * v, 0) / 4 + 0.5);
      row.forEach((v, i) => expected.push((v / rms) * [1, 1, 2, 2][i]));
    }
    Array.from(out.y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('names a computed output without a copy; inputs and values output twice go through Identity', async () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', 'float32', [3]);
    const doubled = g.op('Add', [x, x]);
    g.output('doubled', doubled, 'float32', [3]);
    g.output('again', doubled, 'float32', [3]); // a second name for the same value
    g.output('passthrough', x, 'float32', [3]);
    const squared = g.op('Mul', [doubled, doubled]); // a use after the rename reads the renamed value
    g.output('squared', squared, 'float32', [3]);
    const model = onnxProto.onnx.ModelProto.decode(g.encode());
    const nodes = model.graph!.node!;
    expect(nodes.map((n) => n.opType)).toEqual(['Add', 'Identity', 'Identity', 'Mul']);
    expect(nodes[0].output).toEqual(['doubled']);
    expect(nodes[1].input).toEqual(['doubled']);
    expect(nodes[3].input).toEqual(['doubled', 'doubled']);
    expect(nodes[3].output).toEqual(['squared']);

    const session = await ort.InferenceSession.create(g.encode(), { logSeverityLevel: 3 });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, -2, 3]), [3]) });
    await session.release();
    expect(Array.from(out.doubled.data as Float32Array)).toEqual([2, -4, 6]);
    expect(Array.from(out.again.data as Float32Array)).toEqual([2, -4, 6]);
    expect(Array.from(out.passthrough.data as Float32Array)).toEqual([1, -2, 3]);
    expect(Array.from(out.squared.data as Float32Array)).toEqual([4, 16, 36]);
  });

  it('refuses a float where an integer attribute is meant', () => {
    const g = new GraphBuilder('t');
    expect(() => g.op('Gemm', ['a', 'b'], { alpha: 0.5 })).toThrow(/wrap floats as \{ float: x \}/);
  });
});
