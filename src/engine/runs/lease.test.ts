/**
 * RunLease against a real SQLite file: two owners (as two processes would be) racing for
 * the same runs with a controlled clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workflow } from '../../contract';
import { leaseTiming, RunLease } from './lease';
import { Store } from '../store/store';

let dir: string;
let stores: Store[];
let clock: number;
const now = () => clock;
const timing = { durationMs: 10_000, heartbeatMs: 3_000 };

const openStore = () => {
  const store = Store.open(dir);
  stores.push(store);
  return store;
};
const newRun = (store: Store, id: string, ownerPid = 4242) =>
  store.createRun({ id, workflow: Workflow.parse({ id: 'wf', name: 'wf', nodes: [], edges: [] }), inputs: {}, workspaceDir: dir, ownerPid, startedAt: clock });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-lease-'));
  stores = [];
  clock = 1_000_000;
});
afterEach(() => {
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RunLease', () => {
  it('lets exactly one owner take a run and refuses the other until the lease lapses', () => {
    const a = new RunLease(openStore().db, timing, undefined, now);
    const b = new RunLease(openStore().db, timing, undefined, now);
    newRun(stores[0], 'r1');
    expect(a.ownerId).not.toBe(b.ownerId);
    expect(a.acquire('r1')).toEqual({ ok: true });
    expect(b.takeOver('r1')).toMatchObject({ ok: false, lapsesInMs: 10_000 });
    expect(b.heldElsewhere('r1')).toMatchObject({ ownerId: a.ownerId, expiresAt: clock + 10_000 });
    expect(b.orphans()).toEqual([]);

    clock += 9_999;
    expect(b.takeOver('r1')).toMatchObject({ ok: false, lapsesInMs: 1 });
    clock += 1;
    // The owner stopped renewing: the run is an orphan and one compare-and-set takes it.
    expect(b.orphans()).toEqual(['r1']);
    expect(b.takeOver('r1')).toEqual({ ok: true });
    expect(a.takeOver('r1')).toMatchObject({ ok: false });
    a.stop();
    b.stop();
  });

  it('ignores a stored pid: a live or reused pid in owner_pid does not hold a run', () => {
    const store = openStore();
    // owner_pid names this very (live) process, but no lease was ever taken: the run is free.
    newRun(store, 'r1', process.pid);
    const lease = new RunLease(store.db, timing, undefined, now);
    expect(lease.heldElsewhere('r1')).toBeUndefined();
    expect(lease.orphans()).toEqual(['r1']);
    expect(lease.takeOver('r1')).toEqual({ ok: true });
    lease.stop();
  });

  it('renews while held, reports a lease another owner took, and releases at once', () => {
    const lost: string[] = [];
    const a = new RunLease(openStore().db, timing, (id) => lost.push(id), now);
    const b = new RunLease(openStore().db, timing, undefined, now);
    newRun(stores[0], 'r1');
    newRun(stores[0], 'r2');
    a.acquire('r1');
    a.acquire('r2');
    clock += 9_000;
    a.renew();
    clock += 9_000;
    // Renewed 9 s ago with a 10 s lease: still held.
    expect(b.takeOver('r1')).toMatchObject({ ok: false, lapsesInMs: 1_000 });
    clock += 1_000;
    expect(b.takeOver('r1')).toEqual({ ok: true });
    a.renew();
    expect(lost).toEqual(['r1']);
    expect(a.holds('r1')).toBe(false);
    expect(a.holds('r2')).toBe(true);

    a.release('r2');
    expect(b.heldElsewhere('r2')).toBeUndefined();
    expect(b.acquire('r2')).toEqual({ ok: true });
    a.stop();
    b.stop();
  });

  it('waits for a holder: "lapsed" when it stops renewing, "live" when it renews', async () => {
    const short = { durationMs: 300, heartbeatMs: 100 };
    const a = new RunLease(openStore().db, short);
    const b = new RunLease(openStore().db, short);
    newRun(stores[0], 'dead');
    newRun(stores[0], 'alive');
    a.acquire('dead');
    a.acquire('alive');
    a.stop(); // no heartbeat: renewed by hand below for 'alive' only
    const renewing = setInterval(() => stores[0].db.prepare('UPDATE runs SET lease_expires_at = ? WHERE id = ?').run(Date.now() + 300, 'alive'), 50);
    try {
      await expect(Promise.all([b.awaitHolder('dead'), b.awaitHolder('alive'), b.awaitHolder('nobody')])).resolves.toEqual(['lapsed', 'live', 'free']);
    } finally {
      clearInterval(renewing);
    }
    expect(b.takeOver('dead')).toEqual({ ok: true });
    b.stop();
  });

  it('reads its timing from the environment for child processes, heartbeat a third of the lease', () => {
    expect(leaseTiming({}, {})).toEqual({ durationMs: 10_000, heartbeatMs: 3_000 });
    expect(leaseTiming({}, { AWE_LEASE_MS: '1500' })).toEqual({ durationMs: 1_500, heartbeatMs: 500 });
    expect(() => leaseTiming({ durationMs: 100, heartbeatMs: 100 })).toThrow(/must be shorter/);
  });
});
