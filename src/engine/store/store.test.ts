import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workflow, type EngineEvent, type EngineEventBody } from '../../contract';
import { EventLog } from '../runs/event-log';
import { migrate, openDatabase } from './db';
import { MIGRATIONS } from './migrations';
import { Store } from './store';

const wf = (id = 'wf', nodes = ['a', 'b']): Workflow =>
  Workflow.parse({ id, name: `Workflow ${id}`, nodes: nodes.map((n) => ({ id: n, kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } })) });

let dir: string;
let store: Store;
let seq = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-store-'));
  store = Store.open(dir);
  // Each test's store is new: its events number from 1 whichever tests ran before.
  seq = 0;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function newRun(id = 'r1', workflow = wf()) {
  store.createRun({ id, workflow, inputs: { x: 1 }, workspaceDir: join(dir, 'ws'), ownerPid: process.pid, startedAt: 1000 });
}

const ev = (runId: string, body: EngineEventBody, ts = 2000): EngineEvent => ({ ...body, runId, seq: ++seq, ts }) as EngineEvent;

describe('migrations', () => {
  it('creates the schema once and records its version', () => {
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    // Re-applying is a no-op.
    expect(migrate(store.db, MIGRATIONS)).toBe(0);
  });

  it('applies a new numbered migration in order and keeps existing data', () => {
    store.saveWorkflow(wf());
    store.close();
    const db = openDatabase(join(dir, 'awe.db'), {
      migrations: [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'tags', sql: 'ALTER TABLE workflows ADD COLUMN tags TEXT' }],
    });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    expect(db.prepare('SELECT id, tags FROM workflows').all()).toEqual([{ id: 'wf', tags: null }]);
    db.close();
    store = { close() {} } as Store;
  });

  it('gives runs stored by earlier versions the typed inputs their run.started recorded (migration 3)', () => {
    store.close();
    const v2 = openDatabase(join(dir, 'old.db'), { migrations: MIGRATIONS.filter((m) => m.version <= 2) });
    const insertRun = v2.prepare(`INSERT INTO runs (id, workflow_id, workflow_name, snapshot, status, inputs, workspace_dir, started_at) VALUES (?, 'wf', 'wf', ?, 'running', ?, '/tmp', 1)`);
    const snapshot = JSON.stringify(wf());
    insertRun.run('typed', snapshot, '{"n":"3"}');
    insertRun.run('unstarted', snapshot, '{"n":"4"}');
    v2.prepare(`INSERT INTO events (run_id, seq, type, ts, json) VALUES ('typed', 1, 'run.started', 1, ?)`).run(
      JSON.stringify({ type: 'run.started', runId: 'typed', seq: 1, ts: 1, workflowId: 'wf', inputs: { n: 3 }, nodeIds: ['a', 'b'] }),
    );
    v2.close();
    const db = openDatabase(join(dir, 'old.db'));
    expect(db.prepare('SELECT id, inputs FROM runs ORDER BY id').all()).toEqual([
      { id: 'typed', inputs: '{"n":3}' },
      { id: 'unstarted', inputs: '{"n":"4"}' },
    ]);
    db.close();
    store = Store.open(dir);
  });

  it('refuses a database written by a newer AWE, naming both versions', () => {
    store.db.pragma('user_version = 99');
    store.close();
    expect(() => Store.open(dir)).toThrow(new RegExp(`schema is version 99, newer than this AWE understands \\(${MIGRATIONS.length}\\)`));
    store = { close() {} } as Store;
  });

  it('rolls back a failing migration as a whole', () => {
    store.close();
    expect(() =>
      openDatabase(join(dir, 'awe.db'), {
        migrations: [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'bad', sql: 'CREATE TABLE t2 (x); THIS IS NOT SQL' }],
      }),
    ).toThrow();
    store = Store.open(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(store.db.prepare(`SELECT name FROM sqlite_master WHERE name = 't2'`).all()).toEqual([]);
  });
});

describe('workflow versions', () => {
  it('bumps the version on every save and keeps each version', () => {
    expect(store.saveWorkflow(wf()).version).toBe(1);
    const v2 = store.saveWorkflow({ ...wf(), name: 'Renamed' });
    expect(v2.version).toBe(2);
    expect(store.getWorkflow('wf')?.name).toBe('Renamed');
    // Every saved version is kept (nothing reads them yet; a history view will).
    const kept = store.db.prepare('SELECT version, json FROM workflow_versions WHERE workflow_id = ? ORDER BY version').all('wf') as { version: number; json: string }[];
    expect(kept.map((v) => [v.version, (JSON.parse(v.json) as Workflow).name])).toEqual([
      [1, 'Workflow wf'],
      [2, 'Renamed'],
    ]);
    expect(store.listWorkflows()).toMatchObject([{ id: 'wf', name: 'Renamed', version: 2, nodeCount: 2 }]);
    expect(store.deleteWorkflow('wf')).toBe(true);
    expect(store.getWorkflow('wf')).toBeUndefined();
    expect(store.deleteWorkflow('wf')).toBe(false);
  });
});

describe('event log and node-run projection', () => {
  it('projects node executions, outputs, usage and run status from the events', () => {
    newRun();
    store.appendEvents([
      ev('r1', { type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: ['a', 'b', 'c'] }),
      ev('r1', { type: 'node.status', nodeId: 'a', status: 'queued', generation: 0, attempt: 0 }),
      ev('r1', { type: 'node.status', nodeId: 'a', status: 'running', generation: 0, attempt: 1, reason: 'first', input: { ms: 1 } }),
      ev('r1', { type: 'node.status', nodeId: 'a', status: 'retrying', generation: 0, attempt: 1, error: { class: 'transient', message: 'boom' } }),
      ev('r1', { type: 'node.status', nodeId: 'a', status: 'running', generation: 0, attempt: 2, reason: 'retry', input: { ms: 1 } }),
      ev('r1', { type: 'node.usage', nodeId: 'a', usage: { promptTokens: 10, completionTokens: 5, costUsd: 0.5 } }),
      ev('r1', { type: 'node.output', nodeId: 'a', generation: 0, output: { waitedMs: 1 }, cached: false }),
      ev('r1', { type: 'node.status', nodeId: 'a', status: 'succeeded', generation: 0, attempt: 2 }),
      // A cache hit never runs but is one execution with its output.
      ev('r1', { type: 'node.output', nodeId: 'b', generation: 0, output: { waitedMs: 7 }, cached: true }),
      ev('r1', { type: 'node.status', nodeId: 'b', status: 'succeeded', generation: 0, attempt: 1, reason: 'cache' }),
      // Skipped without running: no execution row.
      ev('r1', { type: 'node.status', nodeId: 'c', status: 'skipped', generation: 0, attempt: 0 }),
    ]);
    expect(store.getRun('r1')?.status).toBe('running');
    const rows = store.nodeRuns('r1');
    expect(rows.map((r) => [r.nodeId, r.attempt, r.status])).toEqual([
      ['a', 1, 'retrying'],
      ['a', 2, 'succeeded'],
      ['b', 1, 'succeeded'],
    ]);
    expect(rows[0].error).toEqual({ class: 'transient', message: 'boom' });
    expect(rows[1]).toMatchObject({ output: { waitedMs: 1 }, input: { ms: 1 }, reason: 'retry', usage: { promptTokens: 10, completionTokens: 5, costUsd: 0.5 } });
    expect(rows[2]).toMatchObject({ output: { waitedMs: 7 }, cached: true, reason: 'cache' });

    store.appendEvents([ev('r1', { type: 'run.finished', status: 'succeeded' }, 3000)]);
    expect(store.getRun('r1')).toMatchObject({ status: 'succeeded', finishedAt: 3000 });
    expect(store.events('r1').map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(store.events('r1', 10).map((e) => e.type)).toEqual(['node.status', 'run.finished']);
  });

  it('writes a batch all or nothing', () => {
    newRun();
    const first = ev('r1', { type: 'node.log', nodeId: 'a', level: 'info', message: 'one' });
    store.appendEvents([first]);
    // The second event reuses seq 1: the whole batch must be rolled back.
    expect(() => store.appendEvents([ev('r1', { type: 'node.log', nodeId: 'a', level: 'info', message: 'two' }), first])).toThrow();
    expect(store.events('r1').map((e) => (e as { message: string }).message)).toEqual(['one']);
  });

  it('stamps gap-free seqs, writes one transaction per tick and delivers only after commit', async () => {
    newRun();
    const log = new EventLog(store);
    const seen: { seqs: number[]; storedWhenDelivered: number }[] = [];
    log.subscribe((batch) => seen.push({ seqs: batch.map((e) => e.seq), storedWhenDelivered: store.maxSeq('r1') }));
    for (let i = 0; i < 5; i++) log.emit('r1', { type: 'node.log', nodeId: 'a', level: 'info', message: `m${i}` });
    expect(store.maxSeq('r1')).toBe(0);
    await new Promise((r) => setImmediate(r));
    log.emit('r1', { type: 'node.log', nodeId: 'a', level: 'info', message: 'later' });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([
      { seqs: [1, 2, 3, 4, 5], storedWhenDelivered: 5 },
      { seqs: [6], storedWhenDelivered: 6 },
    ]);

    // A new process continues the run's numbering from the stored maximum.
    store.close();
    store = Store.open(dir);
    const reopened = new EventLog(store);
    expect(reopened.emit('r1', { type: 'run.status', status: 'running' }).seq).toBe(7);
    reopened.flush();
    expect(store.maxSeq('r1')).toBe(7);
  });
});

describe('runs, cache, settings, approvals', () => {
  it('lists runs newest first and records cancel requests for the owner to see', () => {
    newRun('r1');
    store.createRun({ id: 'r2', workflow: wf('other'), inputs: {}, workspaceDir: dir, ownerPid: 1, startedAt: 5000 });
    expect(store.listRuns().map((r) => r.runId)).toEqual(['r2', 'r1']);
    expect(store.listRuns({ workflowId: 'wf' }).map((r) => r.runId)).toEqual(['r1']);
    expect(store.unfinishedRunIds()).toEqual(['r1', 'r2']);
    expect(store.cancelRequested('r2')).toBe(false);
    store.requestCancel('r2');
    expect(store.runRecord('r2')).toMatchObject({ cancelRequested: true, ownerPid: 1, run: { snapshot: { id: 'other' } } });
  });

  it('keeps the order things happened in when they share a millisecond (ids do not decide it)', () => {
    for (const id of ['rz', 'rm', 'ra']) store.createRun({ id, workflow: wf(), inputs: {}, workspaceDir: dir, ownerPid: 1, startedAt: 7000 });
    expect(store.listRuns().map((r) => r.runId)).toEqual(['ra', 'rm', 'rz']);
    for (const id of ['z', 'm', 'a'])
      store.addArtifact({ id, runId: 'rz', nodeId: 'n', name: `${id}.txt`, mime: 'text/plain', size: 1, sha256: 'x', relPath: id, createdAt: 7001 });
    expect(store.listArtifacts('rz').map((a) => a.name)).toEqual(['z.txt', 'm.txt', 'a.txt']);
  });

  it('lists workflows saved in the same millisecond newest first, and unfinished runs oldest first', () => {
    for (const id of ['z', 'm', 'a']) store.saveWorkflow(wf(id), 5000);
    expect(store.listWorkflows().map((w) => w.id)).toEqual(['a', 'm', 'z']);
    for (const id of ['rz', 'rm', 'ra']) store.createRun({ id, workflow: wf(), inputs: {}, workspaceDir: dir, ownerPid: 1, startedAt: 7000 });
    expect(store.unfinishedRunIds()).toEqual(['rz', 'rm', 'ra']);
  });

  it('keeps cached outputs and settings across reopen', () => {
    store.cacheSet('k', { text: 'hi' });
    store.setSetting('planner', 'offline');
    store.close();
    store = Store.open(dir);
    expect(store.cacheGet('k')).toEqual({ output: { text: 'hi' } });
    expect(store.cacheGet('missing')).toBeUndefined();
    expect(store.getSetting('planner')).toBe('offline');
  });

  it('keeps a decision made before the node asks again, and forgets a used one', () => {
    newRun();
    store.decideApproval('r1', 'a', true, 'ok');
    expect(store.approval('r1', 'a')).toMatchObject({ approved: true, comment: 'ok', consumed: false });
    store.consumeApproval('r1', 'a');
    store.requestApproval('r1', 'a');
    expect(store.approval('r1', 'a')).toMatchObject({ approved: null, decidedAt: null });
  });
});
