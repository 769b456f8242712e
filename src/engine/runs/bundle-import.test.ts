/**
 * Importing a run bundle (issue 12: remote runs opened offline): a bundle made by one engine
 * opens in another as a finished, read-only run with its events, outputs, artifacts and
 * scorecard; hostile bundles (zip bombs, lying headers, path traversal, bad JSON, events that
 * do not fold, a newer format) are refused saying why, and leave nothing behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workflow } from '../../contract';
import { scorecard } from '../../shared/scorecard';
import { createEngine, type LocalEngine } from '../engine';
import { Store } from '../store/store';

let dir: string;
const engines: LocalEngine[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-bundle-import-'));
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = (name: string, options: Partial<Parameters<typeof createEngine>[0]> = {}) => {
  const engine = createEngine({ dataDir: join(dir, name), ...options });
  engines.push(engine);
  return engine;
};

const workflow = Workflow.parse({
  id: 'report',
  name: 'Report',
  nodes: [
    { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello world' } },
    { id: 'save', kind: 'tool', tool: 'artifact.save', inputs: { name: 'report.md', content: '{{nodes.greet.output.text}}', format: 'markdown' } },
  ],
  edges: [{ id: 'e1', source: 'greet', target: 'save' }],
});

/** A finished run's bundle, made by an engine of its own. */
async function exportedRun(): Promise<{ runId: string; bundle: Uint8Array }> {
  const source = open('source');
  const view = await source.startRun(source.validate(workflow).workflow!).done;
  expect(view.status).toBe('succeeded');
  return { runId: view.runId, bundle: await source.exportRunBundle(view.runId) };
}

/** The bundle with some of its files replaced (or removed, with undefined). */
function altered(bundle: Uint8Array, change: (files: Record<string, Uint8Array>) => void): Uint8Array {
  const files = unzipSync(bundle);
  change(files);
  for (const [k, v] of Object.entries(files)) if (v === undefined) delete files[k];
  return zipSync(files as Zippable);
}

const eventLines = (files: Record<string, Uint8Array>) => strFromU8(files['events.jsonl']).trim().split('\n');

/** Nothing of a refused import is kept: no run, no artifact folder. */
function expectNothingKept(engine: LocalEngine) {
  expect(engine.listRuns()).toEqual([]);
  const root = join(engine.dataDir, 'artifacts');
  expect(existsSync(root) ? readdirSync(root) : []).toEqual([]);
}

describe('importing a run bundle', () => {
  it('opens another engine\'s run as a finished, read-only run: events, outputs, artifacts, scorecard, where from', async () => {
    const { runId, bundle } = await exportedRun();
    const here = open('here');
    const imported = await here.importRunBundle(bundle, { fileName: `run-${runId}.zip` });
    expect(imported).toEqual({ runId, originalRunId: runId });

    const run = here.getRun(runId)!;
    expect(run.status).toBe('succeeded');
    expect(run.importedFrom).toMatchObject({ originalRunId: runId, fileName: `run-${runId}.zip`, host: expect.any(String), exportedAt: expect.any(Number) });
    expect(here.listRuns()[0]).toMatchObject({ runId, status: 'succeeded', importedFrom: { originalRunId: runId } });
    const view = here.runView(runId)!;
    expect(view.nodes.greet).toMatchObject({ status: 'succeeded', output: { text: 'Hello world' } });
    expect(here.nodeRuns(runId).map((n) => [n.nodeId, n.status])).toEqual([['greet', 'succeeded'], ['save', 'succeeded']]);
    const [artifact] = here.listArtifacts(runId);
    expect(artifact).toMatchObject({ name: 'report.md', runId });
    expect(readFileSync(here.artifactPath(artifact.id), 'utf8')).toBe('Hello world');
    expect(scorecard(run, here.events(runId))).toMatchObject({ runId, status: 'succeeded', criticalPath: { nodeIds: ['greet', 'save'] } });

    // Read-only: nothing here may execute it again; no start-up resume picks it up.
    expect(() => here.rerunNode(runId, 'greet')).toThrow(/imported from run-.*read-only/);
    expect(() => here.retryFailed(runId)).toThrow(/read-only/);
    expect(here.resumeRuns()).toEqual([]);

    // The same bundle again: the id is taken here, so it gets a fresh one (artifact ids too).
    const again = await here.importRunBundle(bundle);
    expect(again.runId).not.toBe(runId);
    expect(again.originalRunId).toBe(runId);
    const [copy] = here.listArtifacts(again.runId);
    expect(copy.id).not.toBe(artifact.id);
    expect(readFileSync(here.artifactPath(copy.id), 'utf8')).toBe('Hello world');
    expect(here.runView(again.runId)!.artifacts.map((a) => a.id)).toEqual([copy.id]);
    expect(here.events(again.runId).every((e) => e.runId === again.runId)).toBe(true);
  });

  it('gives a run whose id is not a plain id a fresh one', async () => {
    const { runId, bundle } = await exportedRun();
    const strange = `../${'x'.repeat(300)}`;
    const renamed = altered(bundle, (f) => {
      const swap = (text: string) => strToU8(text.split(runId).join(strange));
      f['run.json'] = swap(strFromU8(f['run.json']));
      f['events.jsonl'] = swap(strFromU8(f['events.jsonl']));
    });
    const here = open('here');
    const imported = await here.importRunBundle(renamed);
    expect(imported.originalRunId).toBe(strange);
    expect(imported.runId).toMatch(/^r[0-9a-z]{9}[0-9a-f]{10}$/);
    expect(here.getRun(imported.runId)?.importedFrom?.originalRunId).toBe(strange);
    expect(readdirSync(join(here.dataDir, 'artifacts'))).toEqual([imported.runId]);
  });

  it('refuses a file that is not a zip, or not a run bundle', async () => {
    const here = open('here');
    await expect(here.importRunBundle(strToU8('not a zip at all'))).rejects.toThrow(/not a zip AWE can read/);
    await expect(here.importRunBundle(zipSync({ 'hello.txt': strToU8('hi') }))).rejects.toThrow(/it has no run.json/);
    expectNothingKept(here);
  });

  it('refuses zip bombs before inflating them: an entry, or all of them, past the limits', async () => {
    const { bundle } = await exportedRun();
    const here = open('here', { bundleLimits: { maxEntries: 50, maxEntryBytes: 1024 * 1024, maxTotalBytes: 3 * 1024 * 1024 } });
    // 16 MB of zeros is a few KB zipped.
    const bomb = altered(bundle, (f) => (f['artifacts/big.bin'] = new Uint8Array(16 * 1024 * 1024)));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    await expect(here.importRunBundle(bomb)).rejects.toThrow(/"artifacts\/big.bin" unpacks to 16 MB; the limit is 1 MB/);
    const many = altered(bundle, (f) => {
      for (let i = 0; i < 4; i++) f[`artifacts/part${i}.bin`] = new Uint8Array(1024 * 1024 - 1);
    });
    await expect(here.importRunBundle(many)).rejects.toThrow(/unpacks to more than 3 MB/);
    const crowd = altered(bundle, (f) => {
      for (let i = 0; i < 60; i++) f[`artifacts/n${i}.txt`] = strToU8('x');
    });
    await expect(here.importRunBundle(crowd)).rejects.toThrow(/more than 50 entries/);
    expectNothingKept(here);
  });

  it('refuses an artifact whose header lies about its size (it inflates truncated: its sha256 no longer matches)', async () => {
    const { bundle } = await exportedRun();
    const lying = new Uint8Array(bundle);
    const view = new DataView(lying.buffer);
    const name = strToU8('artifacts/report.md');
    // The central directory entry of the artifact: declare 5 bytes where it has 11.
    for (let i = 0; i < lying.length - 46; i++) {
      if (view.getUint32(i, true) !== 0x02014b50) continue;
      const nameLength = view.getUint16(i + 28, true);
      if (nameLength === name.length && lying.subarray(i + 46, i + 46 + nameLength).every((b, k) => b === name[k])) view.setUint32(i + 24, 5, true);
    }
    const here = open('here');
    await expect(here.importRunBundle(lying)).rejects.toThrow(/artifact "report.md" does not match its recorded size and sha256/);
    expectNothingKept(here);
  });

  it('refuses entry names that point outside a folder', async () => {
    const { bundle } = await exportedRun();
    const here = open('here');
    for (const name of ['../../evil.sh', 'artifacts/../../../evil.sh', '/etc/evil', 'C:/evil.bat', 'artifacts\\..\\evil']) {
      await expect(here.importRunBundle(altered(bundle, (f) => (f[name] = strToU8('echo pwned'))))).rejects.toThrow(/points outside its folder/);
    }
    expect(existsSync(join(dir, 'evil.sh'))).toBe(false);
    expectNothingKept(here);
  });

  it('refuses bad JSON, saying where', async () => {
    const { bundle } = await exportedRun();
    const here = open('here');
    await expect(here.importRunBundle(altered(bundle, (f) => (f['run.json'] = strToU8('{"run": ')))))
      .rejects.toThrow(/run.json is not valid JSON/);
    await expect(here.importRunBundle(altered(bundle, (f) => (f['run.json'] = strToU8('{"run": {"id": 3}}')))))
      .rejects.toThrow(/run.json is not a run record/);
    await expect(
      here.importRunBundle(
        altered(bundle, (f) => {
          const lines = eventLines(f);
          lines[1] = '{"seq": 2, oops';
          f['events.jsonl'] = strToU8(lines.join('\n'));
        }),
      ),
    ).rejects.toThrow(/events.jsonl line 2 is not valid JSON/);
    await expect(
      here.importRunBundle(
        altered(bundle, (f) => {
          const lines = eventLines(f);
          lines[2] = JSON.stringify({ ...JSON.parse(lines[2]), type: 'node.teleported' });
          f['events.jsonl'] = strToU8(lines.join('\n'));
        }),
      ),
    ).rejects.toThrow(/events.jsonl line 3 is not an AWE event/);
    expectNothingKept(here);
  });

  it('records artifact names and types as a tool\'s save would have: no hidden characters, no header lines', async () => {
    const { bundle } = await exportedRun();
    const spoofed = 'report\u202Edm.exe';
    const hostile = altered(bundle, (f) => {
      const record = JSON.parse(strFromU8(f['run.json']));
      record.artifacts[0] = { ...record.artifacts[0], name: spoofed, mime: 'text/html\r\nSet-Cookie: session=stolen' };
      f['run.json'] = strToU8(JSON.stringify(record));
      f[`artifacts/${spoofed}`] = f['artifacts/report.md'];
      delete f['artifacts/report.md'];
    });
    const here = open('here');
    const { runId } = await here.importRunBundle(hostile);
    const [artifact] = here.listArtifacts(runId);
    expect(artifact).toMatchObject({ name: 'reportdm.exe', mime: 'application/octet-stream' });
    expect(readFileSync(here.artifactPath(artifact.id), 'utf8')).toBe('Hello world');
  });

  it('refuses JSON nested deeper than a run can later be shown, before parsing it', async () => {
    const { bundle } = await exportedRun();
    const here = open('here');
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    // A snapshot 3,000 levels deep imported, then every read of the run overflowed the stack; 100,000 levels overflowed the import itself.
    for (const levels of [3_000, 100_000]) {
      const nested = altered(bundle, (f) => (f['run.json'] = strToU8(strFromU8(f['run.json']).replace('"template": "Hello world"', `"template": "Hello world", "extra": ${deep(levels)}`))));
      await expect(here.importRunBundle(nested)).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(new RegExp(`run.json is nested ${levels + 6} levels deep; the limit is \\d+`)) });
    }
    const deepEvent = altered(bundle, (f) => {
      const lines = eventLines(f);
      const i = lines.findIndex((l) => JSON.parse(l).type === 'node.output');
      lines[i] = JSON.stringify({ ...JSON.parse(lines[i]), output: { text: 'Hello world' } }).replace('"text":', `"deep": ${deep(5_000)}, "text":`);
      f['events.jsonl'] = strToU8(lines.join('\n'));
    });
    await expect(here.importRunBundle(deepEvent)).rejects.toThrow(/events.jsonl line \d+ is nested 5002 levels deep; the limit is 1000/);
    expectNothingKept(here);
  });

  it('refuses events that do not fold into the finished run the bundle claims', async () => {
    const { runId, bundle } = await exportedRun();
    const here = open('here');
    const withEvents = (change: (lines: string[]) => string[]) =>
      altered(bundle, (f) => (f['events.jsonl'] = strToU8(change(eventLines(f)).join('\n'))));
    // The run never finished in the bundle (it was exported mid-run, or cut).
    await expect(here.importRunBundle(withEvents((lines) => lines.slice(0, -1)))).rejects.toThrow(/had not finished/);
    // A gap in the sequence.
    await expect(here.importRunBundle(withEvents((lines) => [lines[0], ...lines.slice(2)]))).rejects.toThrow(/sequence number 3 where 2 was due/);
    // Another run's event, and one about a node the workflow does not have.
    const patch = (i: number, fields: Record<string, unknown>) => withEvents((lines) => lines.map((l, k) => (k === i ? JSON.stringify({ ...JSON.parse(l), ...fields }) : l)));
    await expect(here.importRunBundle(patch(1, { runId: 'r-other' }))).rejects.toThrow(/belongs to run r-other, not/);
    const nodeEvent = eventLines(unzipSync(bundle)).findIndex((l) => 'nodeId' in JSON.parse(l));
    await expect(here.importRunBundle(patch(nodeEvent, { nodeId: 'ghost' }))).rejects.toThrow(/node "ghost", which the run's workflow does not have/);
    // The run record disagrees with its own events.
    await expect(
      here.importRunBundle(
        altered(bundle, (f) => {
          const record = JSON.parse(strFromU8(f['run.json']));
          record.run.status = 'failed';
          f['run.json'] = strToU8(JSON.stringify(record));
        }),
      ),
    ).rejects.toThrow(/events end succeeded, but its run record says failed/);
    expect(here.getRun(runId)).toBeUndefined();
    expectNothingKept(here);
  });

  it('refuses a bundle from a newer format version, saying so', async () => {
    const { bundle } = await exportedRun();
    const here = open('here');
    const newer = altered(bundle, (f) => {
      const record = JSON.parse(strFromU8(f['run.json']));
      f['run.json'] = strToU8(JSON.stringify({ ...record, format: 2 }));
    });
    await expect(here.importRunBundle(newer)).rejects.toThrow(/made by a newer AWE \(bundle format 2\); this one reads format 1/);
    expectNothingKept(here);
  });

  it('keeps nothing when recording fails after the artifact files were written', async () => {
    const { bundle } = await exportedRun();
    const here = open('here');
    // The store refuses the artifact rows, the import's last step (as a full disk or a broken file would).
    const other = Store.open(here.dataDir);
    other.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON artifacts BEGIN SELECT RAISE(ABORT, 'the disk says no'); END");
    other.close();
    await expect(here.importRunBundle(bundle)).rejects.toThrow(/the disk says no/);
    expectNothingKept(here);
  });
});
