import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workflow, type EngineEventBody } from '../contract';
import { ArtifactFiles, safeFileName } from './artifacts';
import { Store } from './store/store';
import { testToolContext } from './tools/tool-context.testkit';
import { artifactSaveTool } from './tools/builtin/artifact-save';

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
  const save = async (input: Record<string, unknown>) =>
    artifactSaveTool.run(artifactSaveTool.input.parse(input), testToolContext({ runId: 'run1', nodeId: 'save', artifacts: files.sinkFor('run1', 'save') }));

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
