/**
 * How a deadline ends (deadline.ts), as the in-process runner and the queue worker both read
 * it: its own TIMEOUT message when the caller gives one, `expired` telling a timeout from a
 * cancel, and a deadline further off than one timer can wait (24.8 days) not firing early.
 */
import { expect, it } from 'vitest';
import { ToolError } from '../errors';
import { Deadline } from './deadline';

const never = () => new Promise<never>(() => undefined);

it('times out with the message its caller gave, as a transient TIMEOUT, and says it expired', async () => {
  const deadline = new Deadline(20, 'test.slow', 'n', 'test.slow (node "n") ran past its deadline on worker w1');
  const err = await deadline.race(never()).catch((e: unknown) => e);
  deadline.clear();
  expect(err).toBeInstanceOf(ToolError);
  expect(err).toMatchObject({ class: 'transient', code: 'TIMEOUT', message: 'test.slow (node "n") ran past its deadline on worker w1' });
  expect(deadline.expired).toBe(true);
  expect(deadline.signal.aborted).toBe(true);
});

it('without a message of its own, names the tool, the node and the time allowed', async () => {
  const deadline = new Deadline(20, 'test.slow', 'n');
  await expect(deadline.race(never())).rejects.toThrow('test.slow (node "n") timed out after 20 ms');
  deadline.clear();
});

it('is aborted, not expired, when cancelled', async () => {
  const deadline = new Deadline(60_000, 'test.slow', 'n');
  const outcome = deadline.race(never()).catch((e: unknown) => e);
  deadline.abort('cancelled by the person');
  expect(await outcome).toBe('cancelled by the person');
  deadline.clear();
  expect(deadline.aborted).toBe(true);
  expect(deadline.expired).toBe(false);
});

it('waits out a deadline longer than one timer can (a timer past 2^31-1 ms would fire after 1 ms)', async () => {
  const month = 30 * 24 * 3600 * 1000;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const deadline = new Deadline(month, 'test.slow', 'n');
  const settled = deadline.race(never()).catch((e: unknown) => e);
  // The deadline's timer is armed when the loop turns, after this one: an overflowing 1 ms timer would be due first.
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off('warning', onWarning);
  expect(deadline.aborted).toBe(false);
  // Waited in steps a timer can hold, not a timer Node cuts to 1 ms (and warns about) over and over.
  expect(warnings).not.toContain('TimeoutOverflowWarning');
  expect(deadline.expiresAt).toBeGreaterThan(Date.now() + month - 60_000);
  deadline.abort('done waiting');
  expect(await settled).toBe('done waiting');
  deadline.clear();
});
