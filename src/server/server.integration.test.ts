/**
 * The headless server over real HTTP and WebSocket on 127.0.0.1.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import type { EngineEvent } from '../contract';
import { startServer } from './server';
import { useTestServer } from './test-engine.testkit';

const workflow = {
  id: 'greeting',
  name: 'Greeting',
  nodes: [
    { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello {{input.name}}' } },
    { id: 'save', kind: 'tool', tool: 'artifact.save', inputs: { name: 'greeting.txt', content: '{{nodes.greet.output.text}}' } },
  ],
  edges: [{ id: 'e1', source: 'greet', target: 'save' }],
};

let staticDir: string;

beforeAll(() => {
  staticDir = mkdtempSync(join(tmpdir(), 'awe-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>AWE</title><script src="/assets/app.js"></script>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("awe")');
  writeFileSync(join(tmpdir(), 'awe-secret.txt'), 'TOP-SECRET-CONTENT');
});
afterAll(() => {
  rmSync(staticDir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'awe-secret.txt'), { force: true });
});
const server = useTestServer(() => ({ staticDir }));

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}`, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, body: type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer()) };
}

/** A raw request: fetch would normalise `..` and refuses to set Host. */
function raw(path: string, headers: Record<string, string> = {}, base = server.url): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((done, fail) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${server.token}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

async function waitForRun(runId: string) {
  for (let i = 0; i < 500; i++) {
    const { body } = await api('GET', `/api/runs/${runId}`);
    if (['succeeded', 'failed', 'cancelled'].includes(body.status)) return body;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`run ${runId} did not finish`);
}

/** A WebSocket client speaking the protocol: calls by id, events collected. */
async function connect(query = `?token=${server.token}`) {
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws' + query);
  const events: EngineEvent[] = [];
  const pending = new Map<number, (m: any) => void>();
  const others: any[] = [];
  let nextId = 1;
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.kind === 'events') events.push(...m.events);
    else if (m.kind === 'result' && pending.has(m.id)) {
      pending.get(m.id)!(m);
      pending.delete(m.id);
    } else others.push(m);
  });
  await new Promise<void>((ok, fail) => (ws.once('open', () => ok()), ws.once('error', fail)));
  return {
    ws,
    events,
    others,
    call(command: string, request: unknown): Promise<any> {
      const id = nextId++;
      return new Promise((ok) => {
        pending.set(id, ok);
        ws.send(JSON.stringify({ kind: 'call', id, command, request }));
      });
    },
    close: () => new Promise<void>((ok) => (ws.once('close', () => ok()), ws.close())),
  };
}

describe('REST routes', () => {
  it('GET /health', async () => {
    expect(await api('GET', '/health')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('POST /api/workflows, GET /api/workflows/:id, GET /api/workflows', async () => {
    const saved = await api('POST', '/api/workflows', workflow);
    expect(saved).toMatchObject({ status: 200, body: { workflow_id: 'greeting' } });
    expect(await api('GET', '/api/workflows/greeting')).toMatchObject({ status: 200, body: { id: 'greeting', nodes: [{ id: 'greet' }, { id: 'save' }] } });
    expect((await api('GET', '/api/workflows')).body.workflows.map((w: any) => w.id)).toContain('greeting');
    expect(await api('GET', '/api/workflows/missing')).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } });
    const invalid = await api('POST', '/api/workflows', { ...workflow, edges: [{ id: 'e9', source: 'greet', target: 'ghost' }] });
    expect(invalid).toMatchObject({ status: 422, body: { error: { code: 'invalid-workflow' } } });
    expect(invalid.body.error.problems.length).toBeGreaterThan(0);
  });

  it('POST /api/runs, GET /api/runs, GET /api/runs/:id with nodes, events after a seq, rerun, retry, cancel', async () => {
    await api('POST', '/api/workflows', workflow);
    const started = await api('POST', '/api/runs', { workflow_id: 'greeting', inputs: { name: 'Ada' } });
    expect(started.status).toBe(200);
    const runId = started.body.run_id as string;
    const state = await waitForRun(runId);
    expect(state).toMatchObject({ run_id: runId, status: 'succeeded', nodes: { greet: { status: 'succeeded' }, save: { status: 'succeeded' } } });
    expect((await api('GET', '/api/runs')).body.runs.map((r: any) => r.runId)).toContain(runId);

    const all = (await api('GET', `/api/runs/${runId}/events`)).body.events as EngineEvent[];
    const after = await api('GET', `/api/runs/${runId}/events?after=2`);
    expect(after.body.events.map((e: EngineEvent) => e.seq)).toEqual(all.filter((e) => e.seq > 2).map((e) => e.seq));
    expect(await api('GET', `/api/runs/${runId}/events?after=minus`)).toMatchObject({ status: 400 });

    expect(await api('POST', `/api/runs/${runId}/nodes/save/rerun`, { mode: 'only' })).toMatchObject({ status: 200, body: { ok: true } });
    await waitForRun(runId);
    expect(await api('POST', `/api/runs/${runId}/nodes/ghost/rerun`, {})).toMatchObject({ status: 404 });
    expect(await api('POST', `/api/runs/${runId}/retry-failed`)).toMatchObject({ status: 200 });
    await waitForRun(runId);
    expect(await api('POST', `/api/runs/${runId}/cancel`)).toMatchObject({ status: 200, body: { ok: true } });
    expect(await api('POST', '/api/runs/nope/cancel')).toMatchObject({ status: 404 });

    const inline = await api('POST', '/api/runs', { workflow: { ...workflow, id: 'inline' } });
    expect(inline.status).toBe(200);
    expect(await api('POST', '/api/runs', { inputs: {} })).toMatchObject({ status: 400, body: { error: { code: 'bad-request' } } });
  });

  it('POST /api/run plans a goal and runs it', async () => {
    const res = await api('POST', '/api/run', { goal: 'Write a short greeting report' });
    expect(res.status).toBe(200);
    expect(typeof res.body.run_id).toBe('string');
    await waitForRun(res.body.run_id);
    expect(await api('GET', `/api/workflows/${res.body.workflow_id}`)).toMatchObject({ status: 200 });
    expect(await api('POST', '/api/run', { goal: '' })).toMatchObject({ status: 400 });
  });

  it('GET /api/artifacts/:id/download and GET /api/runs/:id/export', async () => {
    await api('POST', '/api/workflows', workflow);
    const runId = (await api('POST', '/api/runs', { workflow_id: 'greeting', inputs: { name: 'Ada' } })).body.run_id;
    const state = await waitForRun(runId);
    const artifact = state.artifacts[0];
    const file = await api('GET', `/api/artifacts/${artifact.id}/download`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toContain('attachment');
    expect(file.headers.get('content-security-policy')).toContain('sandbox');
    expect(String(file.body)).toContain('Hello Ada');
    const zip = await api('GET', `/api/runs/${runId}/export`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect([...(zip.body as Buffer).subarray(0, 2)]).toEqual([0x50, 0x4b]);
    expect(await api('GET', '/api/artifacts/nope/download')).toMatchObject({ status: 404 });
  });

  it('POST /api/commands/:command runs any command of the table; unknown ones are 404', async () => {
    expect(await api('POST', '/api/commands/tools.list', {})).toMatchObject({ status: 200, body: { tools: expect.any(Array) } });
    expect(await api('POST', '/api/commands/runs.explode', {})).toMatchObject({ status: 404, body: { error: { code: 'unknown-command' } } });
  });

  it('serves an OpenAPI document generated from the schemas, and a docs page', async () => {
    const doc = await api('GET', '/api/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/api/runs/{id}/events'].get).toBeDefined();
    expect(doc.body.paths['/api/commands/runs.start'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('workflowId');
    const docs = await api('GET', '/api/docs');
    expect(String(docs.body)).toContain('/api/runs/:id/nodes/:node/rerun');
  });
});

describe('bad requests never crash the server', () => {
  it('malformed JSON and wrong types get 400 with a message; oversize bodies get 413', async () => {
    const bad = await api('POST', '/api/runs', '{"workflow_id": ');
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'bad-request' } } });
    expect(bad.body.error.message).toMatch(/JSON/);
    expect(await api('POST', '/api/runs', { workflow_id: 42 })).toMatchObject({ status: 400 });
    const big = await api('POST', '/api/workflows', JSON.stringify({ pad: 'x'.repeat(11 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(await api('GET', '/health')).toMatchObject({ status: 200 });
  });

  it('1,000 malformed WebSocket messages are each answered and leave the server serving', async () => {
    const client = await connect();
    const kinds = [
      () => '{not json',
      () => JSON.stringify({ kind: 'call', id: 'x', command: 'runs.list' }),
      () => JSON.stringify({ kind: 'call', id: 5, command: 'no.such.command', request: {} }),
      () => JSON.stringify({ kind: 'call', id: 6, command: 'runs.events', request: { runId: 1, afterSeq: 'a' } }),
      () => JSON.stringify([1, 2, 3]),
      () => 'null',
      () => JSON.stringify({ kind: 'call', id: 7, command: 'plan', request: { goal: '' } }),
      () => JSON.stringify({ kind: 'subscribe' }),
    ];
    for (let i = 0; i < 1000; i++) client.ws.send(kinds[i % kinds.length]());
    const answered = await client.call('workflows.list', {});
    expect(answered).toMatchObject({ ok: true, result: { workflows: expect.any(Array) } });
    // The numbered bad calls (ids 5, 6, 7) came back as typed results; 
    // the rest as {kind:'error'}: 1,000 answers, none lost.
    const errorFramesOf = () => client.others.filter((m) => m.kind === 'error' || (m.kind === 'result' && m.ok === false));
    await expect.poll(() => errorFramesOf().length).toBe(1000);
    const errorFrames = errorFramesOf();
    expect(errorFrames.some((m) => m.error.code === 'unknown-command')).toBe(true);
    expect(errorFrames.every((m) => typeof m.error.message === 'string')).toBe(true);
    await client.close();
    expect(await api('GET', '/health')).toMatchObject({ status: 200 });
  });
});

describe('WebSocket', () => {
  it('carries commands and pushes coalesced event batches', async () => {
    const client = await connect();
    await api('POST', '/api/workflows', workflow);
    const res = await client.call('runs.start', { workflowId: 'greeting', inputs: { name: 'Ada' } });
    expect(res).toMatchObject({ ok: true, result: { runId: expect.any(String) } });
    await waitForRun(res.result.runId);
    // Pushed a batch interval after the store has it (what REST answers from): waited for, not slept on.
    await expect.poll(() => client.events.some((e) => e.runId === res.result.runId && e.type === 'run.finished')).toBe(true);
    await client.close();
  });

  it('a client that disconnects and resumes from its last seq misses no event', async () => {
    // A chain of short waits, so the client leaves while the run is still going.
    const chain = {
      id: 'chain',
      name: 'Chain',
      nodes: [
        ...Array.from({ length: 12 }, (_, i) => ({ id: `w${i}`, kind: 'tool', tool: 'util.wait', inputs: { ms: 15 } as Record<string, unknown> })),
        { id: 'save', kind: 'tool', tool: 'text.template', inputs: { template: 'done' } },
      ],
      edges: Array.from({ length: 12 }, (_, i) => ({ id: `e${i}`, source: `w${i}`, target: i === 11 ? 'save' : `w${i + 1}` })),
    };
    const first = await connect();
    const { result } = await first.call('runs.start', { workflow: chain });
    const runId = result.runId as string;
    for (let i = 0; i < 200 && !first.events.some((e) => e.runId === runId); i++) await new Promise((r) => setTimeout(r, 5));
    await first.close();
    const seen = first.events.filter((e) => e.runId === runId);
    expect(seen.some((e) => e.type === 'run.finished')).toBe(false);
    const lastSeen = Math.max(0, ...seen.map((e) => e.seq));

    // While away, the run finishes and a node is rerun: more events the client did not get.
    await waitForRun(runId);
    await api('POST', `/api/runs/${runId}/nodes/save/rerun`, { mode: 'only' });
    await waitForRun(runId);

    const second = await connect();
    const caughtUp = await second.call('runs.events', { runId, afterSeq: lastSeen });
    await second.close();
    const seqs = [...seen, ...caughtUp.result.events].map((e: EngineEvent) => e.seq);
    const full = (await api('GET', `/api/runs/${runId}/events`)).body.events as EngineEvent[];
    expect(full.length).toBeGreaterThan(lastSeen);
    expect(seqs).toEqual(full.map((e) => e.seq));
    expect(seqs).toEqual(Array.from({ length: full.length }, (_, i) => i + 1));
  });
});

describe('security', () => {
  it('refuses path traversal and serves the app with a CSP and mime types', async () => {
    const index = await api('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await api('GET', '/assets/app.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(String((await api('GET', '/runs/some-client-route')).body)).toContain('<title>AWE</title>');
    for (const path of ['/../awe-secret.txt', '/..%2fawe-secret.txt', '/assets/..%2f..%2fawe-secret.txt', '/%2e%2e/awe-secret.txt', '/..\\awe-secret.txt']) {
      const res = await raw(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.body, path).not.toContain('TOP-SECRET-CONTENT');
    }
  });

  it('refuses other Hosts (DNS rebinding) and cross-origin API calls', async () => {
    expect((await raw('/health', { host: 'evil.example:8787' })).status).toBe(403);
    const res = await api('POST', '/api/run', { goal: 'x' }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    await expect(connectWithOrigin('http://evil.example')).rejects.toThrow(/403/);
  });

  it('requires the token on every API request and WebSocket, loopback included; the UI files load without it', async () => {
    const bare = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers }).then((r) => r.status);
    expect(server.token).toMatch(/^[\w-]{20,}$/);
    expect(server.appUrl).toBe(`${server.url}/?token=${server.token}`);
    for (const path of ['/health', '/api/runs', '/api/workflows', '/api/docs', '/api/openapi.json', '/api/artifacts/x/download']) {
      expect(await bare(path), path).toBe(401);
      expect(await bare(path, { authorization: 'Bearer wrong' }), path).toBe(401);
      expect(await bare(`${path}?token=wrong`), path).toBe(401);
    }
    expect(await bare('/health', { authorization: `Bearer ${server.token}` })).toBe(200);
    expect(await bare(`/api/runs?token=${server.token}`)).toBe(200);
    // The attack the issue describes: a local process imports an MCP server and approves it.
    const imported = await fetch(server.url + '/api/commands/mcp.import', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: JSON.stringify({ mcpServers: { evil: { command: 'sh', args: ['-c', 'touch /tmp/pwned'] } } }) }),
    });
    expect(imported.status).toBe(401);
    expect((await api('POST', '/api/commands/mcp.list', {})).body.servers.map((s: any) => s.name)).not.toContain('evil');
    // Static files hold no data: the page loads, then sends the token it was opened with.
    expect(await bare('/')).toBe(200);
    expect(await bare('/assets/app.js')).toBe(200);
    const wsUrl = server.url.replace('http', 'ws') + '/ws';
    await expect(open(new WebSocket(wsUrl))).rejects.toThrow(/401/);
    await expect(open(new WebSocket(wsUrl + '?token=wrong'))).rejects.toThrow(/401/);
    await expect(open(new WebSocket(`${wsUrl}?token=${server.token}`))).resolves.toBeUndefined();
    // A page of another site that knows the token still cannot open the socket (hijacking).
    await expect(open(new WebSocket(`${wsUrl}?token=${server.token}`, { origin: 'http://evil.example' }))).rejects.toThrow(/403/);
  });

  it('uses a given token, and writes it to a file only the user can read', async () => {
    const tokenDir = mkdtempSync(join(tmpdir(), 'awe-token-'));
    const file = join(tokenDir, 'serve-token');
    const guarded = await startServer({ engine: server.engine, port: 0, token: 'sesame', tokenFile: file, staticDir });
    onTestFinished(() => rmSync(tokenDir, { recursive: true, force: true }));
    try {
      expect(readFileSync(file, 'utf8').trim()).toBe('sesame');
      if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
      expect((await fetch(guarded.url + '/health')).status).toBe(401);
      expect((await fetch(guarded.url + '/health', { headers: { authorization: 'Bearer sesame' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('a token is generated per start when none is given', async () => {
    const exposed = await startServer({ engine: server.engine, port: 0, host: '0.0.0.0', staticDir });
    try {
      expect(exposed.token).toMatch(/^[\w-]{20,}$/);
      expect(exposed.token).not.toBe(server.token);
      const port = new URL(exposed.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${exposed.token}` } })).status).toBe(200);
    } finally {
      await exposed.close();
    }
  });
});

function open(ws: WebSocket): Promise<void> {
  return new Promise((ok, fail) => {
    ws.once('open', () => (ws.close(), ok()));
    ws.once('unexpected-response', (_req, res) => fail(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', fail);
  });
}

function connectWithOrigin(origin: string) {
  return open(new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${server.token}`, { origin }));
}
