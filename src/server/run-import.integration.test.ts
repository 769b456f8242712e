/**
 * `POST /api/runs/import` over real HTTP: the zip `GET /api/runs/:id/export` made on one server
 * is the body, and the run opens on another (a fresh data folder) as a finished, read-only run
 * named after its file; a body that is not a bundle is a 400 saying why, and the OpenAPI
 * document describes the upload as a zip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine/types';
import { makeTestEngine } from './test-engine.testkit';
import { startServer, type RunningServer } from './server';

const workflow = {
  id: 'greeting',
  name: 'Greeting',
  nodes: [
    { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello' } },
    { id: 'save', kind: 'tool', tool: 'artifact.save', inputs: { name: 'greeting.txt', content: '{{nodes.greet.output.text}}' } },
  ],
  edges: [{ id: 'e1', source: 'greet', target: 'save' }],
};

const engines: Engine[] = [];
const servers: RunningServer[] = [];
let source: RunningServer;
let target: RunningServer;

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const engine = makeTestEngine();
    engines.push(engine);
    servers.push(await startServer({ engine, port: 0 }));
  }
  [source, target] = servers;
});

afterAll(async () => {
  for (const s of servers) await s.close();
  for (const e of engines) await e.close();
});

const auth = (server: RunningServer) => ({ authorization: `Bearer ${server.token}` });

describe('POST /api/runs/import', () => {
  it('opens a bundle exported by another server as a read-only run; refuses a body that is not one', async () => {
    const started = await fetch(`${source.url}/api/runs`, { method: 'POST', headers: { ...auth(source), 'content-type': 'application/json' }, body: JSON.stringify({ workflow }) });
    const { run_id: runId } = (await started.json()) as { run_id: string };
    for (let i = 0; i < 200 && (await (await fetch(`${source.url}/api/runs/${runId}`, { headers: auth(source) })).json()).status !== 'succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const zip = Buffer.from(await (await fetch(`${source.url}/api/runs/${runId}/export`, { headers: auth(source) })).arrayBuffer());

    const imported = await fetch(`${target.url}/api/runs/import?file_name=${encodeURIComponent('greeting run.zip')}`, {
      method: 'POST',
      headers: { ...auth(target), 'content-type': 'application/zip' },
      body: zip,
    });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toEqual({ runId, originalRunId: runId });
    const run = (await (await fetch(`${target.url}/api/runs/${runId}`, { headers: auth(target) })).json()) as { status: string; nodes: Record<string, { output: unknown }>; artifacts: unknown[] };
    expect(run).toMatchObject({ status: 'succeeded', nodes: { greet: { output: { text: 'Hello' } } } });
    expect(run.artifacts).toHaveLength(1);
    const { runs } = (await (await fetch(`${target.url}/api/runs`, { headers: auth(target) })).json()) as { runs: { runId: string; importedFrom?: { fileName?: string } }[] };
    expect(runs[0]).toMatchObject({ runId, importedFrom: { fileName: 'greeting run.zip', originalRunId: runId } });
    const rerun = await fetch(`${target.url}/api/runs/${runId}/nodes/greet/rerun`, { method: 'POST', headers: { ...auth(target), 'content-type': 'application/json' }, body: '{}' });
    expect(rerun.status).toBe(409);
    expect(((await rerun.json()) as { error: { message: string } }).error.message).toMatch(/read-only/);

    const junk = await fetch(`${target.url}/api/runs/import`, { method: 'POST', headers: { ...auth(target), 'content-type': 'application/zip' }, body: 'PK but not really' });
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/not a zip AWE can read/) });

    // The file name is held to the command's limit, though the bytes skip the command's base64.
    const longName = await fetch(`${target.url}/api/runs/import?file_name=${'x'.repeat(2_000)}.zip`, { method: 'POST', headers: { ...auth(target), 'content-type': 'application/zip' }, body: zip });
    expect(longName.status).toBe(400);
    expect(((await longName.json()) as { error: { message: string } }).error.message).toMatch(/fileName/);

    const doc = (await (await fetch(`${target.url}/api/openapi.json`, { headers: auth(target) })).json()) as { paths: Record<string, any> };
    expect(doc.paths['/api/runs/import'].post).toMatchObject({ operationId: 'importRun', requestBody: { content: { 'application/zip': {} } } });
  });
});
