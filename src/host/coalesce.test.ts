import { describe, expect, it } from 'vitest';
import { createCoalescer } from './coalesce';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createCoalescer', () => {
  it('sends everything pushed within one window as one batch, in order', async () => {
    const sent: number[][] = [];
    const c = createCoalescer<number>((b) => sent.push(b), { intervalMs: 10 });
    c.push([1, 2]);
    c.push([3]);
    expect(sent).toEqual([]);
    await tick(30);
    expect(sent).toEqual([[1, 2, 3]]);
  });

  it('splits a burst into batches of at most maxBatch', () => {
    const sent: number[][] = [];
    const c = createCoalescer<number>((b) => sent.push(b), { intervalMs: 1000, maxBatch: 4 });
    c.push(Array.from({ length: 10 }, (_, i) => i));
    c.close();
    expect(sent.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(sent.flat()).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('without a window, forwards each push at once; after close, drops pushes', () => {
    const sent: number[][] = [];
    const c = createCoalescer<number>((b) => sent.push(b), { intervalMs: 0 });
    c.push([1]);
    c.push([2, 3]);
    c.close();
    c.push([4]);
    expect(sent).toEqual([[1], [2, 3]]);
  });
});
