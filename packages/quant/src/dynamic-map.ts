// bitsandbytes' signed dynamic 8-bit map (`create_dynamic_map(signed=True)`), the
// code the absmax values are double-quantized with. Recomputed in float32 the way
// PyTorch evaluates the Python source:
//
//   for i in range(7):
//       boundaries = torch.linspace(0.1, 1, 2**i + 1)          # float32
//       means = (boundaries[:-1] + boundaries[1:]) / 2.0        # float32
//       data += ((10 ** (-6 + i)) * means).tolist()             # float32(10**(i-6)) * means
//       data += (-(10 ** (-6 + i)) * means).tolist()
//   data += [0, 1.0]; data.sort(); Tensor(data)
//
// 127 negative values, 0, 127 positive values and 1.0, ascending. PyTorch's
// linspace is evaluated as start + step*k below the midpoint and end - step*(n-1-k)
// above it (its scalar kernel); its vectorised kernel can differ in the last bit
// of some entries depending on the CPU. That never breaks compatibility: the map
// is stored next to every weight (`nested_quant_map`) and the reader uses the
// stored one.

const F = Math.fround;

/** torch.linspace(start, end, steps) in float32 (scalar kernel). */
function linspaceFloat32(start: number, end: number, steps: number): Float32Array {
  const s = F(start);
  const e = F(end);
  const step = F(F(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  const out = new Float32Array(steps);
  for (let k = 0; k < steps; k++) {
    out[k] = k < halfway ? F(s + F(step * k)) : F(e - F(step * (steps - k - 1)));
  }
  return out;
}

let cached: Float32Array | null = null;

/** The 256-entry signed dynamic map, ascending (a fresh copy each call). */
export function createDynamicMap(): Float32Array {
  if (!cached) {
    const maxExponentBits = 7;
    const data: number[] = [];
    for (let i = 0; i < maxExponentBits; i++) {
      const boundaries = linspaceFloat32(0.1, 1, 2 ** i + 1);
      const scale = F(10 ** (-(maxExponentBits - 1) + i));
      for (let j = 0; j + 1 < boundaries.length; j++) {
        const mean = F(F(boundaries[j] + boundaries[j + 1]) / 2);
        data.push(F(scale * mean), F(-scale * mean));
      }
    }
    data.push(0, 1);
    data.sort((a, b) => a - b);
    cached = Float32Array.from(data);
  }
  return Float32Array.from(cached);
}
