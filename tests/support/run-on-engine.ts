/**
 * Runs a workflow on the real engine (createEngine: the scheduler, policy gate, built-in
 * tools and a SQLite store in a fresh data folder), for planner and example tests that need
 * to know a plan actually works. Approvals are answered as a person would (`approve`), the
 * write and network tools the workflow names are allowed up front (as `--allow` does), and
 * the run must succeed — a failed node fails the test with its error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent, Workflow } from '../../src/contract';
import { createEngine } from '../../src/engine';

export interface EngineRun {
  /** Each node's output, by node id. */
  outputs: Record<string, unknown>;
  /** Nodes skipped (an untaken branch), in workflow order. */
  skipped: string[];
  /** Saved artifacts, in the order they were made. */
  artifacts: { name: string; content: string }[];
  /** The questions people were asked, in order. */
  approvals: string[];
}

export async function runOnEngine(workflow: Workflow, opts: { workspaceDir: string; inputs?: Record<string, unknown>; approve?: boolean }): Promise<EngineRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'awe-engine-run-'));
  const engine = createEngine({ dataDir });
  const approvals: string[] = [];
  try {
    const tools = [...new Set(workflow.nodes.flatMap((n) => (n.tool ? [n.tool] : [])))];
    let runId = '';
    const pending: EngineEvent[] = [];
    const answer = (e: EngineEvent) => {
      if (e.type !== 'approval.requested') return;
      approvals.push(e.message);
      // Answered outside the delivery of the batch, as a person's click would be.
      setImmediate(() => engine.approve(e.runId, e.nodeId, opts.approve ?? true));
    };
    const off = engine.subscribe((batch) => {
      for (const e of batch) {
        if (!runId) pending.push(e);
        else if (e.runId === runId) answer(e);
      }
    });
    const handle = engine.startRun(workflow, { inputs: opts.inputs, workspaceDir: opts.workspaceDir, allow: tools });
    runId = handle.runId;
    for (const e of pending.splice(0)) if (e.runId === runId) answer(e);
    const view = await handle.done;
    off();
    if (view.status !== 'succeeded') {
      const failed = Object.entries(view.nodes).filter(([, n]) => n.status === 'failed');
      throw new Error(`run ${view.status}: ${failed.map(([id, n]) => `${id}: ${n.error?.message}`).join('; ') || view.error}`);
    }
    const outputs: Record<string, unknown> = {};
    for (const [id, n] of Object.entries(view.nodes)) if (n.output !== undefined) outputs[id] = n.output;
    const skipped = workflow.nodes.map((n) => n.id).filter((id) => view.nodes[id]?.status === 'skipped');
    const artifacts = engine.listArtifacts(runId).map((a) => ({ name: a.name, content: readFileSync(engine.artifactPath(a.id), 'utf8') }));
    return { outputs, skipped, artifacts, approvals };
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
