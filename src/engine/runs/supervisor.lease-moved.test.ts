/**
 * A run's lease moves to another owner while this process executes it (this one stalled past
 * its lease, another took it over): whoever waits here for the run's end — `waitForRun`, the
 * run's own handle — is answered at once with the run as this process last saw it and the
 * OWNER_CHANGED code, not left waiting forever nor told the run was cancelled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type LocalEngine } from '../engine';
import { Store } from '../store/store';

let dir: string;
let engine: LocalEngine | undefined;
let other: Store | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-lease-moved-'));
});
afterEach(async () => {
  other?.close();
  other = undefined;
  await engine?.close().catch(() => undefined);
  engine = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const within = <T>(ms: number, promise: Promise<T>): Promise<T | 'still waiting'> =>
  Promise.race([promise, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);

describe('a run whose lease moved to another owner', () => {
  it('answers the callers waiting here with the last state seen and OWNER_CHANGED', async () => {
    const warnings: string[] = [];
    engine = createEngine({
      dataDir: dir,
      lease: { durationMs: 600, heartbeatMs: 100 },
      logger: { info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined },
    });
    const workflow = engine.validate({
      id: 'moved',
      name: 'moved',
      version: 1,
      nodes: [
        { id: 'first', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } },
        { id: 'long', kind: 'tool', tool: 'util.wait', inputs: { ms: 30_000 } },
      ],
      edges: [{ id: 'e', source: 'first', target: 'long' }],
    }).workflow!;
    const handle = engine.startRun(workflow);
    for (let i = 0; i < 200 && engine.runView(handle.runId)?.nodes.long?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 10));
    const waiting = engine.waitForRun(handle.runId);

    // Another process takes the lease over, as one does after this one missed a renewal.
    other = Store.open(dir);
    other.db.prepare('UPDATE runs SET lease_owner = ?, lease_expires_at = ? WHERE id = ?').run('elsewhere/1/abc', Date.now() + 60_000, handle.runId);

    const answered = await within(3_000, waiting);
    expect(answered).not.toBe('still waiting');
    const view = answered as Exclude<typeof answered, 'still waiting'>;
    expect(view.ownerChanged).toMatchObject({ code: 'OWNER_CHANGED', message: expect.stringMatching(/taken over by another AWE process/) });
    // As it stood here: running, the first node done, the long one still running (not cancelled).
    expect(view.status).toBe('running');
    expect(view.nodes.first.status).toBe('succeeded');
    expect(view.nodes.long.status).toBe('running');

    const done = await within(3_000, handle.done);
    expect(done).toMatchObject({ status: 'running', ownerChanged: { code: 'OWNER_CHANGED' } });
    expect(warnings.some((w) => /taken over/.test(w))).toBe(true);
    // Nothing more is recorded here: the new owner writes the run's log.
    expect(other.getRun(handle.runId)?.status).toBe('running');
  });
});
