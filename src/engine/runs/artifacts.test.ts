import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldRun, Workflow, type EngineEvent, type EngineEventBody } from '../../contract';
import { ArtifactFiles, safeFileName } from './artifacts';
import { Store } from '../store/store';
import { testToolContext } from '../tools/tool-context.testkit';
import { artifactSaveTool } from '../tools/builtin/artifact-save';

describe('safeFileName', () => {
  it('removes bidi overrides and other invisible formatting, so the shown extension is the real one', () => {
    // Displays as "invoiceexe.pdf" in a right-to-left aware view.
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(safeFileName('a\u2066b\u2069c\u200Fd\u200Be\uFEFF.txt')).toBe('abcde.txt');
    expect(safeFileName('a\u0085b\u009Bc\u2028d.md')).toBe('a_b_c_d.md');
    expect(safeFileName('tab\there\nnew.csv')).toBe('tab_here_new.csv');
  });

  it('shortens long names in the stem and keeps the extension', () => {
    const long = safeFileName(`${'quarterly-report-'.repeat(20)}.csv`);
    expect(long.endsWith('.csv')).toBe(true);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(120);
    // Multi-byte characters are counted in bytes and never split.
    const wide = safeFileName(`${'€'.repeat(100)}.md`);
    expect(wide).toBe(`${'€'.repeat(39)}.md`);
  });

  it('renames Windows device names whatever their case and extension', () => {
    for (const [name, safe] of [
      ['CON', '_CON'],
      ['CON.txt', '_CON.txt'],
      ['con.tar.gz', '_con.tar.gz'],
      ['NUL .txt', '_NUL .txt'],
      ['prn.md', '_prn.md'],
      ['aux', '_aux'],
      ['COM1.json', '_COM1.json'],
      ['lpt9.csv', '_lpt9.csv'],
      ['COM\u00b9.txt', '_COM\u00b9.txt'],
    ]) {
      expect(safeFileName(name), name).toBe(safe);
    }
    for (const name of ['console.txt', 'CONTENT.md', 'com10.txt', 'nullable.json', 'lpt.txt']) expect(safeFileName(name)).toBe(name);
  });
});

describe('artifact.save names, on disk', () => {
  let dir: string;
  let store: Store;
  let files: ArtifactFiles;
  const announced: EngineEventBody[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'awe-artifacts-'));
    store = Store.open(dir);
    const workflow = Workflow.parse({ id: 'wf', name: 'wf', nodes: [{ id: 'save', kind: 'tool', tool: 'artifact.save', inputs: {} }] });
    store.createRun({ id: 'run1', workflow, inputs: {}, workspaceDir: join(dir, 'ws'), ownerPid: process.pid, startedAt: 1 });
    files = new ArtifactFiles(dir, store, (_runId, body) => announced.push(body));
    announced.length = 0;
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const save = async (input: Record<string, unknown>, idempotencyKey = 'run1:save:0') =>
    artifactSaveTool.run(artifactSaveTool.input.parse(input), testToolContext({ runId: 'run1', nodeId: 'save', idempotencyKey, artifacts: files.sinkFor('run1', 'save') }));

  it('saves "CON" as "_CON.txt", strips a right-to-left override and keeps a long name\'s extension', async () => {
    expect((await save({ name: 'CON', content: 'x' })).name).toBe('_CON.txt');
    expect((await save({ name: 'report\u202Etxt.exe', content: 'x' })).name).toBe('reporttxt.exe');
    const long = await save({ name: `${'b'.repeat(190)}.csv`, content: 'a,b\n', format: 'csv' });
    expect(long.name).toMatch(/^b+\.csv$/);
    expect(long.mime).toBe('text/csv');
    const onDisk = readdirSync(join(dir, 'artifacts', 'run1'));
    expect(onDisk.every((n) => Buffer.byteLength(n) < 255 && !n.includes('\u202E'))).toBe(true);
    expect(onDisk.some((n) => n.endsWith('.csv'))).toBe(true);
    expect(store.listArtifacts('run1').map((a) => a.name)).toEqual(['_CON.txt', 'reporttxt.exe', long.name]);
    expect(readFileSync(files.pathOf(store.listArtifacts('run1')[2]), 'utf8')).toBe('a,b\n');
  });
});

describe('artifact.save exactly-once per idempotency key', () => {
  let dir: string;
  let store: Store;
  const announced: EngineEventBody[] = [];
  const workflow = Workflow.parse({ id: 'wf', name: 'wf', nodes: [{ id: 'save', kind: 'tool', tool: 'artifact.save', inputs: {} }] });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'awe-artifacts-once-'));
    store = Store.open(dir);
    store.createRun({ id: 'run1', workflow, inputs: {}, workspaceDir: join(dir, 'ws'), ownerPid: process.pid, startedAt: 1 });
    announced.length = 0;
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const save = (content: string, idempotencyKey: string) => {
    const files = new ArtifactFiles(dir, store, (_runId, body) => announced.push(body));
    const input = artifactSaveTool.input.parse({ name: 'report.md', content, format: 'markdown' });
    return artifactSaveTool.run(input, testToolContext({ runId: 'run1', nodeId: 'save', idempotencyKey, artifacts: files.sinkFor('run1', 'save') }));
  };

  it('returns the first artifact when saved again under the same key (a resume), one entry in the run view', async () => {
    const first = await save('# Report\n', 'run1:save:0');
    const again = await save('# Report\n', 'run1:save:0');
    expect(again).toEqual(first);
    expect(store.listArtifacts('run1')).toHaveLength(1);
    expect(readdirSync(join(dir, 'artifacts', 'run1'))).toHaveLength(1);
    const events = announced.map((body, i) => ({ ...body, runId: 'run1', seq: i + 1, ts: 1 }) as EngineEvent);
    expect(foldRun('run1', events).artifacts.map((a) => a.id)).toEqual([first.artifactId]);
  });

  it('saves a new artifact under a new key (a rerun) or with other bytes', async () => {
    await save('# Report\n', 'run1:save:0');
    await save('# Report\n', 'run1:save:1');
    await save('# Report v2\n', 'run1:save:1');
    expect(store.listArtifacts('run1').map((a) => a.sha256)).toHaveLength(3);
  });

  it.skipIf(process.platform === 'win32')('a real SIGKILL after the save, then the resume: one artifact', { timeout: 60_000 }, async () => {
    store.close();
    const child = join(dir, 'child.mts');
    writeFileSync(
      child,
      `import { ArtifactFiles } from ${JSON.stringify(join(__dirname, 'artifacts.ts'))};
       import { Store } from ${JSON.stringify(join(__dirname, '../store/store.ts'))};
       import { testToolContext } from ${JSON.stringify(join(__dirname, '../tools/tool-context.testkit.ts'))};
       import { artifactSaveTool } from ${JSON.stringify(join(__dirname, '../tools/builtin/artifact-save.ts'))};
       const store = Store.open(process.argv[2]);
       const files = new ArtifactFiles(process.argv[2], store, () => {});
       const input = artifactSaveTool.input.parse({ name: 'report.md', content: '# Report\\n', format: 'markdown' });
       await artifactSaveTool.run(input, testToolContext({ runId: 'run1', nodeId: 'save', idempotencyKey: 'run1:save:0', artifacts: files.sinkFor('run1', 'save') }));
       process.stdout.write('saved\\n');
       setInterval(() => {}, 1000); // the engine would now record the success: killed first
      `,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('saved')) resolve();
      });
      proc.on('exit', (code) => reject(new Error(`child exited (${code}) before saving`)));
    });
    const exited = new Promise((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    store = Store.open(dir);
    const resumed = await save('# Report\n', 'run1:save:0');
    expect(store.listArtifacts('run1').map((a) => a.id)).toEqual([resumed.artifactId]);
    expect(readdirSync(join(dir, 'artifacts', 'run1'))).toHaveLength(1);
  });
});
