import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from './throttle';

describe('throttle', () => {
  let clock = 0;
  const now = () => clock;
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 1_000;
  });
  afterEach(() => vi.useRealTimers());

  it('runs the first request at once, folds the ones within the interval into one at its end', () => {
    const run = vi.fn();
    const t = throttle(run, 100, now);
    t.request();
    expect(run).toHaveBeenCalledTimes(1);
    advance(10);
    t.request();
    t.request();
    advance(50);
    t.request();
    expect(run).toHaveBeenCalledTimes(1);
    advance(40); // 100 ms after the first run: the folded requests run once
    expect(run).toHaveBeenCalledTimes(2);
    advance(500);
    expect(run).toHaveBeenCalledTimes(2);
    t.request(); // after a quiet spell: at once
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('flush runs now and drops what was pending; cancel drops it without running', () => {
    const run = vi.fn();
    const t = throttle(run, 100, now);
    t.request();
    advance(10);
    t.request();
    t.flush();
    expect(run).toHaveBeenCalledTimes(2);
    advance(200);
    expect(run).toHaveBeenCalledTimes(2);
    t.request(); // 200 ms after the flush: at once
    advance(10);
    t.request();
    t.cancel();
    advance(200);
    expect(run).toHaveBeenCalledTimes(3);
  });
});
