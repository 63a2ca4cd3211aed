// JSON.stringify escapes C0 control characters ("\u001b") but writes DEL, the C1
// controls and the bidi formatting characters as they are; some terminals act on
// C1 codes, and bidi overrides reorder what is shown. Rewriting them as \uXXXX
// escapes gives the same JSON value (they only ever occur inside strings), so
// `--json` output stays both exact and safe to print.

const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON.stringify(value, null, 2) with the characters above as \uXXXX escapes. */
export function jsonForTerminal(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
