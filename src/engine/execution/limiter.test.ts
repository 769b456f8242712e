/**
 * The limiter through the API the scheduler uses: tryAcquire, acquire(signal), release.
 * (wt-tooling's fuller rewrite of this file supersedes this one.)
 */
import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter';

describe('Limiter', () => {
  it('gives at most max slots and hands a released slot to the longest waiter', async () => {
    const limiter = new Limiter(2);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    const order: number[] = [];
    const waits = [1, 2].map((i) => limiter.acquire().then(() => order.push(i)));
    limiter.release();
    await waits[0];
    expect(order).toEqual([1]);
    // The slot passed straight to the waiter: no newcomer can take it meanwhile.
    expect(limiter.tryAcquire()).toBe(false);
    limiter.release();
    await waits[1];
    expect(order).toEqual([1, 2]);
  });

  it('drops a waiter whose signal aborts without taking a slot', async () => {
    const limiter = new Limiter(1);
    expect(limiter.tryAcquire()).toBe(true);
    const ac = new AbortController();
    const abandoned = limiter.acquire(ac.signal);
    const next = limiter.acquire();
    ac.abort(new Error('gave up'));
    await expect(abandoned).rejects.toThrow('gave up');
    limiter.release();
    await next;
    limiter.release();
    // Every slot is back: exactly one is free again.
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
  });
});
