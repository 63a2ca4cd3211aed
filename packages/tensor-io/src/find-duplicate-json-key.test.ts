import { describe, expect, it } from 'vitest';
import { findDuplicateJsonKey } from './find-duplicate-json-key.js';

describe('findDuplicateJsonKey', () => {
  it('finds repeated keys at the top level and inside nested objects', () => {
    expect(findDuplicateJsonKey('{"a":1,"b":2,"a":3}')).toEqual({ key: 'a', depth: 1 });
    expect(findDuplicateJsonKey('{"t":{"x":1,"x":2}}')).toEqual({ key: 'x', depth: 2 });
    expect(findDuplicateJsonKey('{"a\\u0062":1,"ab":2}')).toEqual({ key: 'ab', depth: 1 });
  });

  it('does not confuse values, array items or keys of sibling objects with keys', () => {
    expect(findDuplicateJsonKey('{"a":"a","b":["a","a"],"c":{"a":1},"d":{"a":2}}')).toBeNull();
    expect(findDuplicateJsonKey('{"s":"quote \\" and brace { inside","t":"x"}')).toBeNull();
    expect(findDuplicateJsonKey('[{"a":1},{"a":1}]')).toBeNull();
  });
});
