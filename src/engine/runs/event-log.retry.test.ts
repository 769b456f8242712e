/**
 * A batch of events whose write fails is kept and written again, on its own, in order:
 * nothing else has to come along (another emit, a flush call) for it to reach the disk
 * and its subscribers. The fault is the real one: another writer holds the run's next seq.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { Workflow, type EngineEvent, type EngineEventBody } from '../../contract';
import { EventLog } from './event-log';
import { Store } from '../store/store';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-eventlog-retry-'));
  store = Store.open(dir);
  const workflow = Workflow.parse({ id: 'wf', name: 'wf', nodes: [{ id: 'a', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } }] });
  store.createRun({ id: 'r', workflow, inputs: {}, workspaceDir: join(dir, 'ws'), ownerPid: process.pid, startedAt: 1000 });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const started: EngineEventBody = { type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: ['a'] };
const log = (message: string): EngineEventBody => ({ type: 'node.log', nodeId: 'a', level: 'info', message });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const otherWriter = {
  takes: (seq: number) => store.db.prepare('INSERT INTO events (run_id, seq, type, ts, json) VALUES (?, ?, ?, ?, ?)').run('r', seq, 'node.log', 1, '{}'),
  leaves: (seq: number) => store.db.prepare('DELETE FROM events WHERE run_id = ? AND seq = ?').run('r', seq),
};

it('writes a failed batch again by itself once the fault is gone, and delivers it in emit order', async () => {
  const events = new EventLog(store);
  const delivered: EngineEvent[] = [];
  events.subscribe((batch) => delivered.push(...batch));
  events.emit('r', started);
  events.flush();
  otherWriter.takes(2);
  events.emit('r', log('first'));
  // Several retry rounds fail while the other writer holds seq 2.
  await sleep(350);
  // Ours and the other writer's row (its JSON is `{}`): nothing of ours beyond seq 1.
  expect(store.events('r').map((e) => e.type)).toEqual(['run.started', undefined]);
  expect(delivered.map((e) => e.seq)).toEqual([1]);
  // Emitted while the earlier batch waits: it must not overtake it.
  events.emit('r', log('second'));
  await sleep(350);
  expect(delivered.map((e) => e.seq)).toEqual([1]);
  otherWriter.leaves(2);
  // No emit, no flush from here on: the log's own retry writes and delivers both.
  for (let waited = 0; delivered.length < 3 && waited < 2000; waited += 20) await sleep(20);
  expect(store.events('r').map((e) => [e.seq, e.type])).toEqual([
    [1, 'run.started'],
    [2, 'node.log'],
    [3, 'node.log'],
  ]);
  expect(delivered.map((e) => (e.type === 'node.log' ? e.message : e.type))).toEqual(['run.started', 'first', 'second']);
  events.close();
});
