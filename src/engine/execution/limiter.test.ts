/**
 * The global concurrency limit, through the calls the scheduler makes: `tryAcquire()` for
 * a free slot now, else `acquire(signal)` (a cancelled run abandons its wait), and
 * `release()` when a node finishes.
 */
import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter';

const settled = () => new Promise((r) => setTimeout(r, 0));

/** Records the order waiters got their slot in. */
function waiters(limiter: Limiter, names: string[], signals: Record<string, AbortSignal> = {}) {
  const got: string[] = [];
  const refused: [string, unknown][] = [];
  for (const name of names)
    limiter.acquire(signals[name]).then(
      () => got.push(name),
      (reason: unknown) => refused.push([name, reason]),
    );
  return { got, refused };
}

describe('Limiter as the scheduler uses it', () => {
  it('gives at most max slots at once; a release frees one', () => {
    const limiter = new Limiter(2);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    limiter.release();
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
  });

  it('refuses a max that is not a whole number ≥ 1', () => {
    for (const max of [0, -1, 1.5, NaN]) expect(() => new Limiter(max)).toThrow(/max must be/);
  });

  it('acquire resolves at once while a slot is free', async () => {
    const limiter = new Limiter(1);
    const { got } = waiters(limiter, ['a']);
    await settled();
    expect(got).toEqual(['a']);
    expect(limiter.tryAcquire()).toBe(false);
  });

  it('hands slots to waiters in arrival order, one per release, and no newcomer takes a handed-on slot', async () => {
    const limiter = new Limiter(1);
    expect(limiter.tryAcquire()).toBe(true);
    const { got } = waiters(limiter, ['a', 'b', 'c']);
    await settled();
    expect(got).toEqual([]);
    limiter.release();
    // The slot went to `a`: a node arriving now must wait too.
    expect(limiter.tryAcquire()).toBe(false);
    await settled();
    expect(got).toEqual(['a']);
    limiter.release();
    limiter.release();
    await settled();
    expect(got).toEqual(['a', 'b', 'c']);
    limiter.release();
    // All slots back: one free again, only one.
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
  });

  it('a cancelled run abandons its wait: rejected with the reason, no slot taken, the next waiter served', async () => {
    const limiter = new Limiter(1);
    expect(limiter.tryAcquire()).toBe(true);
    const cancel = new AbortController();
    const { got, refused } = waiters(limiter, ['a', 'b'], { a: cancel.signal });
    cancel.abort(new Error('run cancelled'));
    await settled();
    expect(refused).toEqual([['a', new Error('run cancelled')]]);
    limiter.release();
    await settled();
    expect(got).toEqual(['b']);
    // `b` holds the only slot; the abandoned `a` holds none.
    expect(limiter.tryAcquire()).toBe(false);
    limiter.release();
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('a signal already aborted is refused at once, even with a slot free', async () => {
    const limiter = new Limiter(1);
    const { got, refused } = waiters(limiter, ['late'], { late: AbortSignal.abort('gone') });
    await settled();
    expect(got).toEqual([]);
    expect(refused).toEqual([['late', 'gone']]);
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('a long queue (10,000 waiters, every third abandoned) keeps order and never exceeds max', async () => {
    const limiter = new Limiter(3);
    for (let i = 0; i < 3; i++) expect(limiter.tryAcquire()).toBe(true);
    const names = Array.from({ length: 10_000 }, (_, i) => `n${i}`);
    const signals: Record<string, AbortSignal> = {};
    const controllers: AbortController[] = [];
    names.forEach((name, i) => {
      if (i % 3 === 0) {
        const c = new AbortController();
        controllers.push(c);
        signals[name] = c.signal;
      }
    });
    const { got, refused } = waiters(limiter, names, signals);
    for (const c of controllers) c.abort('cancelled');
    const served = names.filter((_, i) => i % 3 !== 0);
    // Each finished node releases one slot; the slot goes to the next live waiter.
    for (let released = 0; released < served.length; released++) {
      limiter.release();
      expect(limiter.tryAcquire()).toBe(false);
    }
    await settled();
    expect(got).toEqual(served);
    expect(refused).toHaveLength(controllers.length);
    for (let i = 0; i < 3; i++) limiter.release();
    for (let i = 0; i < 3; i++) expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
  });
});
