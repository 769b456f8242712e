import { describe, expect, it } from 'vitest';
import { harness } from './scheduler.testkit';

describe('scheduler with nothing to run', () => {
  // Validation refuses a workflow without nodes; the scheduler must still hand back a
  // promise when the run finishes synchronously (it returned undefined: "reading 'then'").
  it('returns a promise of the finished run, not undefined', async () => {
    const h = harness({ id: 'wf', name: 'wf', nodes: [], edges: [] });
    const done = h.exec.start();
    expect(done).toBeInstanceOf(Promise);
    expect((await done).status).toBe('succeeded');
  });
});
