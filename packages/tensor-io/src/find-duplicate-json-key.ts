// JSON.parse silently keeps the last of two equal keys. A safetensors header
// with the same tensor name twice is ambiguous (which bytes are the tensor?),
// so we scan the already-validated JSON text once, linearly, for repeated keys
// in any object.

export interface DuplicateJsonKey {
  key: string;
  /** 1 for the top-level object (tensor names), 2 inside a tensor entry, ... */
  depth: number;
}

/** First key repeated within one object of `text`, or null. `text` must be valid JSON. */
export function findDuplicateJsonKey(text: string): DuplicateJsonKey | null {
  const stack: (Set<string> | null)[] = []; // a Set per open object, null per open array
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (text.charCodeAt(j) !== 0x22) {
        if (text.charCodeAt(j) === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else {
          j++;
        }
      }
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.has(key)) return { key, depth: stack.length };
        top.add(key);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] !== null && stack.length > 0;
    }
    i++;
  }
  return null;
}
