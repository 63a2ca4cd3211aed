// Text that came from a file (tensor names, metadata, config fields, paths) can
// hold bytes a terminal obeys: ESC starts sequences that clear the screen, move
// the cursor, set the window title or write hyperlinks; C1 codes (U+0080-U+009F)
// are the one-character forms of the same sequences on some terminals; bidi
// overrides reorder what is shown ("Trojan Source"). Every human-readable line
// the CLI prints goes through this so that such text shows as visible escapes.
// JSON output is escaped by JSON.stringify (and jsonForTerminal) instead.

export interface EscapeTerminalOptions {
  /** Keep "\n" and "\t" (multi-line human output); every other control character is still escaped. */
  multiline?: boolean;
}

// C0 (U+0000-U+001F), DEL and C1 (U+007F-U+009F); the Arabic letter mark, the
// left-to-right / right-to-left marks, the line and paragraph separators, the
// embeddings and overrides (U+202A-U+202E) and the isolates (U+2066-U+2069).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every terminal control character replaced by a visible escape:
 * ESC -> `\x1b`, U+009B -> `\x9b`, U+202E -> `\u202e`. Printable text (any
 * script, emoji, backslashes) is unchanged, so escaping twice changes nothing.
 */
export function escapeTerminal(text: string, options: EscapeTerminalOptions = {}): string {
  return text.replace(UNSAFE, (char) => (options.multiline && (char === '\n' || char === '\t') ? char : visible(char)));
}
