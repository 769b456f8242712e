/**
 * TEST SUPPORT ONLY — a data folder holding runs a crash left unfinished, as a killed
 * process leaves them: `run.started`, a node `running`, an owner pid that is gone.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Workflow } from '../../contract';
import { Store } from '../store/store';

const chain = (id: string) =>
  Workflow.parse({
    id,
    name: id,
    nodes: [
      { id: 'a', kind: 'tool', tool: 'text.template', inputs: { template: 'first' } },
      { id: 'b', kind: 'tool', tool: 'text.template', inputs: { template: '{{nodes.a.output.text}} then second' } },
    ],
    edges: [{ id: 'e', source: 'a', target: 'b' }],
  });

/**
 * Two interrupted runs, `healthy` and `broken`; the broken one's second event was torn
 * (half a JSON text, as a disk or an older writer can leave it), so resuming it throws.
 */
export function seedInterruptedRuns(dataDir: string): { healthy: string; broken: string } {
  const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
  const store = Store.open(dataDir);
  try {
    for (const id of ['healthy', 'broken']) {
      const workflow = chain(`wf-${id}`);
      store.createRun({ id, workflow, inputs: {}, workspaceDir: join(dataDir, 'ws'), ownerPid: deadPid, startedAt: Date.now() });
      store.appendEvents([
        { runId: id, seq: 1, ts: Date.now(), type: 'run.started', workflowId: workflow.id, inputs: {}, nodeIds: ['a', 'b'] },
        { runId: id, seq: 2, ts: Date.now(), type: 'node.status', nodeId: 'a', status: 'running', generation: 0, attempt: 1, reason: 'first' },
      ]);
    }
    store.db.prepare('UPDATE events SET json = ? WHERE run_id = ? AND seq = 2').run('{"type":"node.status","nodeId":"a","sta', 'broken');
  } finally {
    store.close();
  }
  return { healthy: 'healthy', broken: 'broken' };
}

/** The last event of a run as stored (read raw: the broken run's log cannot be parsed whole). */
export function lastStoredEvent(dataDir: string, runId: string): Record<string, unknown> {
  const store = Store.open(dataDir);
  try {
    const row = store.db.prepare('SELECT json FROM events WHERE run_id = ? ORDER BY seq DESC LIMIT 1').get(runId) as { json: string };
    return JSON.parse(row.json) as Record<string, unknown>;
  } finally {
    store.close();
  }
}
