import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { quantize4bit, dequantize4bit, absmaxOf } from '@layerprune/quant';
const { onnx } = onnxProto;
const N = 96, K = 64;
for (const [type, qt] of [['nf4', 1], ['fp4', 0]]) for (const dq of [false, true]) {
  const w = Float32Array.from({ length: N * K }, (_, i) => Math.sin(i * 0.37) * 0.5);
  const state = quantize4bit(w, { type, blockSize: 64, doubleQuant: dq, shape: [N, K] });
  const ref = dequantize4bit(state);
  const I = { INT: 2 };
  const model = onnx.ModelProto.create({ irVersion: 10, opsetImport: [{ domain: '', version: 23 }, { domain: 'com.microsoft', version: 1 }], graph: { name: 'g',
    node: [{ opType: 'MatMulBnb4', domain: 'com.microsoft', input: ['a', 'b', 'absmax'], output: ['y'], attribute: [{ name: 'K', type: I.INT, i: K }, { name: 'N', type: I.INT, i: N }, { name: 'block_size', type: I.INT, i: 64 }, { name: 'quant_type', type: I.INT, i: qt }] }],
    input: [{ name: 'a', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'm' }, { dimValue: K }] } } } }, { name: 'b', type: { tensorType: { elemType: 2, shape: { dim: [{ dimValue: N * K / 2 }] } } } }, { name: 'absmax', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: N * K / 64 }] } } } }],
    output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'm' }, { dimValue: N }] } } } }] } });
  const s = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { logSeverityLevel: 3 });
  const eye = new Float32Array(K * K); for (let i = 0; i < K; i++) eye[i * K + i] = 1;
  const out = await s.run({ a: new ort.Tensor('float32', eye, [K, K]), b: new ort.Tensor('uint8', state.packed, [N * K / 2]), absmax: new ort.Tensor('float32', absmaxOf(state), [N * K / 64]) });
  // y[k, n] = W[n, k]
  let max = 0; for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) max = Math.max(max, Math.abs(out.y.data[k * N + n] - ref[n * K + k]));
  console.log(type, 'double', dq, 'max |ort - ours|', max);
}
