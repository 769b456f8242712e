import { describe, expect, it } from 'vitest';
import { measureRecorded } from './recorded-size';

const LIMIT = 1024 * 1024;

describe('measureRecorded', () => {
  it('finds a value that refers to itself, at the top or further down', () => {
    const top: Record<string, unknown> = { a: 1 };
    top.self = top;
    const inner: Record<string, unknown> = {};
    const down = { x: [1, { inner }] };
    inner.back = down.x;
    const list: unknown[] = [];
    list.push({ list });
    for (const value of [top, down, list]) {
      expect(measureRecorded(value, LIMIT)).toEqual({ ok: false, tooLarge: false, reason: 'it refers to itself (a circular structure)' });
    }
  });

  it('accepts the same object in two places that do not contain each other', () => {
    const shared = { k: 'v' };
    const value = { a: shared, b: [shared, shared], c: { d: shared } };
    const r = measureRecorded(value, LIMIT);
    expect(r.ok).toBe(true);
    expect(r.ok && r.chars).toBeGreaterThanOrEqual(JSON.stringify(value).length);
  });

  it('counts at least the JSON length of flat and nested values', () => {
    for (const value of [{}, { a: 'x"y', b: 2, c: null, d: true }, [1, [2, [3, { e: 'é\n' }]]], 'text', 42]) {
      const r = measureRecorded(value, LIMIT);
      expect(r.ok).toBe(true);
      expect(r.ok && r.chars).toBeGreaterThanOrEqual(JSON.stringify(value).length);
    }
  });

  it('stops as soon as a value passes the limit', () => {
    expect(measureRecorded({ a: 'x'.repeat(100) }, 50)).toMatchObject({ ok: false, tooLarge: true });
  });
});
