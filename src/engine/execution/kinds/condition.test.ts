import { describe, expect, it } from 'vitest';
import { isEmptyValue, judgeCondition } from './condition';

const judge = (test: unknown, operator?: string, value?: unknown) => judgeCondition({ test, operator, value }, 'c');

describe('judgeCondition', () => {
  it('judges a bare test false when it is empty, false, 0 or NaN, and true otherwise', () => {
    for (const v of [undefined, null, false, 0, Number.NaN, '', '   ', [], {}]) expect(judge(v), JSON.stringify(v)).toBe(false);
    for (const v of [true, 1, -1, 'x', '0', 'false', [0], [[]], { a: null }]) expect(judge(v), JSON.stringify(v)).toBe(true);
  });

  it('says what is empty: blank text, [], {}, null, missing — not 0 or false', () => {
    expect([undefined, null, '', ' \n', [], {}].every(isEmptyValue)).toBe(true);
    expect([0, false, 'a', [null], { k: 1 }].some(isEmptyValue)).toBe(false);
    expect(judge([], 'isEmpty')).toBe(true);
    expect(judge({}, 'isNotEmpty')).toBe(false);
    expect(judge(0, 'isEmpty')).toBe(false);
  });

  it('equals compares JSON values deeply, and numbers with numeric text', () => {
    expect(judge({ a: [1, { b: 2 }] }, 'equals', { a: [1, { b: 2 }] })).toBe(true);
    expect(judge({ a: [1, { b: 2 }] }, 'equals', { a: [1, { b: 3 }] })).toBe(false);
    expect(judge(3, 'equals', '3')).toBe(true);
    expect(judge('3', 'equals', 3)).toBe(true);
    expect(judge('03', 'equals', '3')).toBe(false);
    expect(judge([1], 'equals', { 0: 1 })).toBe(false);
    expect(judge('a', 'notEquals', 'b')).toBe(true);
  });

  it('contains looks inside text, lists (by value) and objects (by key)', () => {
    expect(judge('deploy failed on prod', 'contains', 'failed')).toBe(true);
    expect(judge('deploy ok', 'contains', 'failed')).toBe(false);
    expect(judge([{ id: 1 }, { id: 2 }], 'contains', { id: 2 })).toBe(true);
    expect(judge(['a', 'b'], 'contains', 'c')).toBe(false);
    expect(judge({ errors: [] }, 'contains', 'errors')).toBe(true);
    expect(judge(42, 'contains', '4')).toBe(false);
  });

  it('greater/less than compare numbers (numeric text too) or text with text, and refuse anything else', () => {
    expect(judge(12, 'greaterThan', 10)).toBe(true);
    expect(judge('12', 'greaterThan', '9')).toBe(true);
    expect(judge(10, 'greaterThan', 10)).toBe(false);
    expect(judge(2, 'lessThan', 10)).toBe(true);
    expect(judge('2026-01-02', 'greaterThan', '2026-01-01')).toBe(true);
    expect(() => judge([1, 2], 'greaterThan', 1)).toThrow(/"greater than" compares numbers or text, got \[1,2\] and 1/);
  });

  it('refuses an unknown operator, naming the ones it knows', () => {
    expect(() => judge(1, 'bigger')).toThrow(/condition "c": unknown operator "bigger"; use one of truthy, equals/);
  });
});
