/**
 * A float as Python's `repr` / `json.dumps` writes it: the shortest digits that
 * round-trip (the same digits JavaScript picks), in fixed notation when
 * -4 < decimal exponent <= 16 with at least one fractional digit ("1.0"),
 * otherwise in exponent notation with a signed two-digit exponent ("1e-05").
 * bitsandbytes writes `nested_offset` through json.dumps, so the bytes of
 * `quant_state.bitsandbytes__*` match Python's only if this matches repr.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  const point = exponent + 1; // digits before the decimal point
  let body: string;
  if (point > -4 && point <= 16) {
    if (point <= 0) body = `0.${'0'.repeat(-point)}${digits}`;
    else if (point >= digits.length) body = `${digits}${'0'.repeat(point - digits.length)}.0`;
    else body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  } else {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    body = `${digits[0]}${fraction}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return x < 0 ? `-${body}` : body;
}
