// Builds safetensors bytes by hand (no use of this package's writer), so tests
// of the reader can describe any header, valid or not, exactly.

export interface RawSafetensorsOptions {
  /** Overrides the 8-byte length prefix (e.g. a huge or too-long value). */
  declaredHeaderLength?: bigint;
}

/** 8-byte LE length + header text (JSON.stringify'd if an object) + data. */
export function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0), options: RawSafetensorsOptions = {}): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, options.declaredHeaderLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Little-endian bytes of float32 values, written with DataView one by one. */
export function float32LeBytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}
