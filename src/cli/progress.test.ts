import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workflow } from '../contract';
import { createEngine, type LocalEngine } from '../engine';
import { RunProgress } from './progress';

/** A terminal stand-in that keeps what was written. */
function screen(isTTY: boolean) {
  const chunks: string[] = [];
  const out = { isTTY, rows: 40, columns: 120, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => chunks.join('') };
}

const workflow = Workflow.parse({
  id: 'p',
  name: 'Progress',
  nodes: [
    { id: 'ok', kind: 'tool', tool: 'text.template', inputs: { template: 'hi' } },
    { id: 'bad', kind: 'tool', tool: 'file.read', inputs: { path: 'missing.txt' } },
    { id: 'after', kind: 'tool', tool: 'text.template', inputs: { template: '{{nodes.bad.output}}' } },
  ],
  edges: [{ id: 'e1', source: 'bad', target: 'after' }],
});

let dir: string;
let engine: LocalEngine;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-progress-'));
  engine = createEngine({ dataDir: dir });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('run progress in the terminal', () => {
  it('redraws each node in place with the state the shared fold gives it', async () => {
    const term = screen(true);
    const handle = engine.startRun(workflow);
    const progress = new RunProgress(new Set([handle.runId]), ['ok', 'bad', 'after'], { out: term.out }).attach(engine);
    const view = await handle.done;
    progress.stop();
    const ESC = String.fromCharCode(27);
    const frames = term.text().split(new RegExp(`${ESC}\\[\\d+A`));
    const last = frames.at(-1)!.split('\n').filter(Boolean).map((l) => l.replace(`${ESC}[2K`, ''));
    expect(last).toHaveLength(3);
    expect(last[0]).toMatch(/^✓ ok\s+succeeded/);
    expect(last[1]).toMatch(/^✗ bad\s+failed\s+\S/);
    expect(last[1]).toContain(view.nodes.bad.error!.message.slice(0, 40));
    expect(last[2]).toMatch(/^↷ after\s+skipped\s+upstream node "bad" failed/);
  });

  it('writes one plain line per change when not on a terminal, and the run’s end', async () => {
    const term = screen(false);
    const handle = engine.startRun(workflow);
    const progress = new RunProgress(new Set([handle.runId]), ['ok', 'bad', 'after'], { out: term.out }).attach(engine);
    await handle.done;
    progress.stop();
    const lines = term.text().trim().split('\n');
    expect(lines).toContain('▶ ok running');
    expect(lines).toContain('✓ ok succeeded');
    expect(lines).toContain('↷ after skipped — upstream node "bad" failed');
    expect(lines.at(-1)).toMatch(new RegExp(`^run ${handle.runId} failed — 1 node\\(s\\) failed: bad`));
  });
});
