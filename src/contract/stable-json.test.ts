import { describe, expect, it } from 'vitest';
import { stableJson } from './stable-json';

describe('stableJson', () => {
  it('sorts keys at every depth, so key order never changes the text', () => {
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(stableJson({ a: [{ c: 2, d: 1 }], b: 1 })).toBe(stableJson({ b: 1, a: [{ d: 1, c: 2 }] }));
  });

  it('sorts integer-like keys as text, as stored cache keys were made', () => {
    expect(stableJson({ 9: 'a', 10: 'b', x: 'c' })).toBe('{"10":"b","9":"a","x":"c"}');
  });

  it('drops undefined fields, writes undefined items and non-finite numbers as null', () => {
    expect(stableJson({ a: undefined, b: [undefined, Number.NaN] })).toBe('{"b":[null,null]}');
    expect(stableJson(undefined)).toBe('null');
  });
});
