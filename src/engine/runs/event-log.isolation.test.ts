/**
 * Issue 10 item 1, the log's side: an event that cannot be serialised is refused to its
 * emitter (and takes no seq), and a run whose write fails never holds back another run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workflow, type EngineEvent, type EngineEventBody } from '../../contract';
import { ToolError } from '../errors';
import { EventLog } from './event-log';
import { Store } from '../store/store';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-eventlog-'));
  store = Store.open(dir);
  for (const id of ['bad', 'good']) {
    const workflow = Workflow.parse({ id: `wf-${id}`, name: id, nodes: [{ id: 'a', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } }] });
    store.createRun({ id, workflow, inputs: {}, workspaceDir: join(dir, 'ws'), ownerPid: process.pid, startedAt: 1000 });
  }
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const started: EngineEventBody = { type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: ['a'] };
const log = (message: string, data?: unknown): EngineEventBody => ({ type: 'node.log', nodeId: 'a', level: 'info', message, ...(data === undefined ? {} : { data }) });

describe('EventLog isolation', () => {
  it('refuses an unserialisable event to its emitter without using up a seq', () => {
    const events = new EventLog(store);
    events.emit('bad', started);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const data of [{ n: 10n }, cyclic]) {
      let thrown: unknown;
      try {
        events.emit('bad', log('with data', data));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ToolError);
      expect(thrown).toMatchObject({ class: 'permanent', code: 'VALUE_NOT_JSON' });
    }
    events.emit('bad', log('after'));
    events.emit('good', started);
    events.flush();
    expect(store.events('bad').map((e) => [e.seq, e.type])).toEqual([
      [1, 'run.started'],
      [2, 'node.log'],
    ]);
    expect(store.events('good')).toHaveLength(1);
  });

  it('writes and delivers other runs when one run cannot be written, and retries that run alone', async () => {
    const errors: string[] = [];
    const logger = { info: (m: string) => errors.push(m), warn: (m: string) => errors.push(m), error: (m: string) => errors.push(m) };
    const events = new EventLog(store, Date.now, logger);
    const delivered: EngineEvent[] = [];
    events.subscribe((batch) => delivered.push(...batch));
    events.emit('bad', started);
    events.emit('good', started);
    events.flush();
    // Another writer took the next seq of run "bad" (as a second process on the same run would).
    store.db.prepare('INSERT INTO events (run_id, seq, type, ts, json) VALUES (?, ?, ?, ?, ?)').run('bad', 2, 'node.log', 1, '{}');
    events.emit('bad', log('collides'));
    for (let i = 0; i < 5; i++) events.emit('good', log(`good ${i}`));
    events.emit('good', { type: 'run.finished', status: 'succeeded' });
    expect(() => events.flush()).not.toThrow();
    expect(store.events('good').map((e) => e.type)).toEqual(['run.started', 'node.log', 'node.log', 'node.log', 'node.log', 'node.log', 'run.finished']);
    expect(delivered.filter((e) => e.runId === 'good')).toHaveLength(7);
    expect(delivered.filter((e) => e.runId === 'bad').map((e) => e.seq)).toEqual([1]);
    expect(errors.join('')).toContain('run bad: writing events failed, will retry');
    // The other writer goes away; the retry writes run "bad" in order.
    store.db.prepare('DELETE FROM events WHERE run_id = ? AND seq = 2').run('bad');
    await new Promise((r) => setTimeout(r, 250));
    expect(store.events('bad').map((e) => [e.seq, e.type])).toEqual([
      [1, 'run.started'],
      [2, 'node.log'],
    ]);
    expect(delivered.filter((e) => e.runId === 'bad').map((e) => e.seq)).toEqual([1, 2]);
  });
});
