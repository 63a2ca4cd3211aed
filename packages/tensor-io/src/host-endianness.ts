// safetensors is little-endian. Typed-array views are in host order, so the
// zero-copy paths are only valid on little-endian hosts (every platform Node
// ships on today); big-endian hosts get a byte-swapped copy instead.

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses each `elementBytes`-wide group in place (little-endian <-> host order on big-endian hosts). */
export function swapBytesInPlace(bytes: Uint8Array, elementBytes: number): void {
  if (elementBytes === 1) return;
  for (let i = 0; i + elementBytes <= bytes.length; i += elementBytes) {
    for (let a = i, b = i + elementBytes - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}
