import { describe, expect, it } from 'vitest';
import { initialValue, parseRunInput } from './run-inputs';

describe('run inputs form', () => {
  it('fills fields from declared defaults, JSON pretty-printed and booleans as checkbox states', () => {
    expect(initialValue({ type: 'string', default: 'Ada' })).toBe('Ada');
    expect(initialValue({ type: 'number', default: 3 })).toBe('3');
    expect(initialValue({ type: 'boolean', default: true })).toBe(true);
    expect(initialValue({ type: 'boolean' })).toBe(false);
    expect(initialValue({ type: 'json', default: { a: [1] } })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(initialValue({ type: 'string' })).toBe('');
  });

  it('types what was typed: numbers, booleans and JSON parsed; strings kept as typed', () => {
    expect(parseRunInput('n', { type: 'number' }, ' 2.5 ')).toEqual({ value: 2.5 });
    expect(parseRunInput('b', { type: 'boolean' }, false)).toEqual({ value: false });
    expect(parseRunInput('j', { type: 'json' }, '{"tags":["a"]}')).toEqual({ value: { tags: ['a'] } });
    expect(parseRunInput('s', { type: 'string' }, '  spaced ')).toEqual({ value: '  spaced ' });
  });

  it('refuses a missing required value and text that is not of the declared type, naming the input', () => {
    expect(parseRunInput('count', { type: 'number', required: true }, '  ')).toEqual({ error: 'count is required.' });
    expect(parseRunInput('count', { type: 'number' }, 'three')).toEqual({ error: 'count must be a number, like 3 or 2.5.' });
    expect(parseRunInput('count', { type: 'number' }, 'Infinity').error).toBeDefined();
    expect(parseRunInput('data', { type: 'json' }, '{oops').error).toMatch(/^data is not valid JSON: /);
    // An optional empty field is left out, so the engine's default (if any) applies.
    expect(parseRunInput('note', { type: 'string' }, '')).toEqual({});
  });
});
