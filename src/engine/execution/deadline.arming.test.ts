/**
 * A deadline's timer is armed once the event loop turns (deadline.ts): the time it
 * allows still counts from when the call started, however late the loop turns.
 */
import { expect, it } from 'vitest';
import { Deadline } from './deadline';

it('times a call from when its clock started, even when the loop turns late', async () => {
  const deadline = new Deadline(100, 'test.busy', 'n');
  const start = performance.now();
  while (performance.now() - start < 80) {
    // Busy: no timer can be armed before the loop turns.
  }
  const done = new Promise((resolve) => setTimeout(() => resolve('done'), 60));
  const outcome = await deadline.race(done).catch((e: { code?: string }) => e.code);
  deadline.clear();
  // 80 ms busy + 60 ms more passes the 100 ms allowed.
  expect(outcome).toBe('TIMEOUT');
});

it('leaves a call that settles in time alone', async () => {
  const deadline = new Deadline(100, 'test.quick', 'n');
  const outcome = await deadline.race(new Promise((resolve) => setTimeout(() => resolve('done'), 10)));
  deadline.clear();
  expect(outcome).toBe('done');
  expect(deadline.aborted).toBe(false);
});
