import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('Limiter', () => {
  it('runs at most max tasks at once and starts waiting tasks in arrival order', async () => {
    const limiter = new Limiter(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const tasks = [0, 1, 2, 3].map((i) =>
      limiter.run(() => {
        started.push(i);
        return new Promise<number>((r) => finish.push(() => r(i)));
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.waiting).toBe(2);
    finish[1]();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    finish[0]();
    await tick();
    finish[2]();
    finish[3]();
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3]);
    expect(limiter.running).toBe(0);
  });

  it('drops a waiting task whose signal aborts, without running it, and frees no slot twice', async () => {
    const limiter = new Limiter(1);
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    let ran = false;
    const second = limiter.run(async () => void (ran = true), ac.signal);
    ac.abort(new Error('gave up'));
    await expect(second).rejects.toThrow('gave up');
    release();
    await first;
    await limiter.run(async () => undefined);
    expect(ran).toBe(false);
    expect(limiter.running).toBe(0);
  });

  it('releases the slot when a task throws', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(async () => { throw new Error('x'); })).rejects.toThrow('x');
    await expect(limiter.run(async () => 'ok')).resolves.toBe('ok');
  });
});
