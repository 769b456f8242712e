import { describe, expect, it } from 'vitest';
import { scanJson } from './json-scan';

const errorOf = (text: string) => scanJson(text).error;

describe('scanJson', () => {
  it('accepts everything JSON.parse accepts, and measures depth', () => {
    const samples = ['{}', '[]', '[ ]', '0', '-1.5e+10', '"a\\"b\\\\"', 'null', ' true ', '{"a":[1,{"b":[]}],"c":"]}"}', '[[[["x"]]]]', '{"a":{}, "b" : [ 1 , 2 ]}'];
    for (const s of samples) {
      expect(() => JSON.parse(s)).not.toThrow();
      expect(scanJson(s).error, s).toBeUndefined();
    }
    expect(scanJson('[[[["x"]]]]').maxDepth).toBe(4);
    expect(scanJson('{"a":"[[[[[["}').maxDepth).toBe(1); // brackets inside strings do not count
  });

  it('rejects what JSON.parse rejects, with line and column', () => {
    const samples = ['', '{', '[1,]', '{"a":1,}', "{'a':1}", '{"a" 1}', '{"a":1 "b":2}', '[1 2]', '{"a":tru}', '{"a":1} x', '// c\n{}', '"abc', '"a\nb"', '[01]', '{"a":}', '{,}', '[,1]'];
    for (const s of samples) {
      expect(() => JSON.parse(s), s).toThrow();
      expect(scanJson(s).error, s).toBeDefined();
    }
  });

  it('points at the first error and says what was expected', () => {
    expect(errorOf('{\n  "a": 1,\n  "b": 2,\n}')).toMatchObject({ line: 4, column: 1, message: expect.stringContaining("expected a property name in double quotes (a trailing comma?), found '}'") });
    expect(errorOf('{\n  "a": 1\n  "b": 2\n}')).toMatchObject({ line: 3, column: 3, message: expect.stringContaining("expected ',' or '}' after a property value") });
    expect(errorOf('[1, 2')!.message).toContain('ends inside 1 unclosed bracket');
    expect(errorOf('{"a": nul}')!.message).toContain('expected a value, found "nul"');
  });

  it('measures 10,000 levels of nesting without deep recursion, ignoring the syntax past the limit', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    expect(scanJson(deep)).toEqual({ maxDepth: 10_000 });
    expect(scanJson('{"a":' + '['.repeat(10_000)).maxDepth).toBe(10_001);
  });
});
