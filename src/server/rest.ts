/**
 * REST routes for the seeds' API (issue 4), each a thin adapter over the same
 * `dispatch` the WebSocket and Electron IPC use, plus `POST /api/commands/<name>` for
 * every command of the table. Downloads stream files the engine recorded.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { foldRun, formatIssues, MAX_RUN_BUNDLE_BYTES } from '../contract';
import type { CommandName, RunDetail } from '../contract';
import { toApiError, type Handlers } from '../host/handlers';
import type { Engine } from '../engine';
import { HttpError, readBytesBody, readJsonBody, SECURITY_HEADERS, statusFor } from './http';
import { api } from '../contract/api';

export interface RestContext {
  engine: Engine;
  handlers: Handlers;
}

interface RouteMatch {
  params: Record<string, string>;
  url: URL;
  req: IncomingMessage;
  res: ServerResponse;
}

/** Returned by a route that wrote the response itself (a file download). */
export const STREAMED = Symbol('streamed');

interface Route {
  method: 'GET' | 'POST';
  /** Display form, e.g. `/api/runs/:id`. */
  path: string;
  summary: string;
  operationId: string;
  /** JSON Schema of the body, for the OpenAPI document. */
  body?: Record<string, unknown>;
  query?: string[];
  /** Mime of a binary answer (downloads). */
  binary?: string;
  /** Mime of a binary request body (uploads). */
  binaryBody?: string;
  handle(ctx: RestContext, m: RouteMatch): Promise<unknown>;
}

export interface RouteInfo extends Omit<Route, 'handle'> {
  params: string[];
  openApiPath: string;
}

/** Calls a command; a failure becomes an HTTP error with the matching status. */
async function call<C extends CommandName>(ctx: RestContext, command: C, request: unknown): Promise<any> {
  const res = await ctx.handlers.dispatch(command, request);
  if (!res.ok) throw new HttpError(statusFor(res.error.code), res.error);
  return res.result;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const words = formatIssues(parsed.error.issues, '', 20, '(body)');
    throw new HttpError(400, { code: 'bad-request', message: `Invalid request body: ${words}` });
  }
  return parsed.data;
}

const RunGoalBody = z.object({
  goal: z.string().min(1).max(10_000),
  planner: z.enum(['auto', 'offline', 'llm']).optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
});
const StartRunBody = z.object({
  workflow_id: z.string().optional(),
  workflow: z.unknown().optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  allow: z.array(z.string()).optional(),
});
const RerunBody = z.object({
  mode: z.enum(['only', 'downstream']).optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  /** The edited document: the rerun nodes use its definitions (checked by `runs.rerunNode`). */
  workflow: z.record(z.string(), z.unknown()).optional(),
});

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

/** `filename*` keeps non-ASCII names; the plain `filename` is a safe ASCII fallback. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\/]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function sendFile(res: ServerResponse, mime: string, fileName: string, body: Uint8Array | string, size?: number): Promise<typeof STREAMED> {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': mime,
    'Content-Disposition': attachment(fileName),
    // Artifacts are made by tools and models: never let one run as a page of this origin.
    'Content-Security-Policy': "sandbox; default-src 'none'",
    'Cache-Control': 'no-store',
    ...(typeof body === 'string' ? { 'Content-Length': size } : { 'Content-Length': body.byteLength }),
  });
  if (typeof body !== 'string') {
    res.end(body);
    return Promise.resolve(STREAMED);
  }
  return new Promise((done) => {
    const stream = createReadStream(body);
    stream.on('error', () => res.destroy());
    stream.on('close', () => done(STREAMED));
    stream.pipe(res);
  });
}

const ROUTES: Route[] = [
  {
    method: 'GET', path: '/health', operationId: 'health', summary: 'Liveness: the server answers.',
    handle: async () => ({ ok: true, name: 'awe' }),
  },
  {
    method: 'POST', path: '/api/run', operationId: 'runGoal', summary: 'Plan a goal, save the plan and run it.', body: json(RunGoalBody),
    async handle(ctx, m) {
      const body = parseBody(RunGoalBody, await readJsonBody(m.req));
      const planned = await call(ctx, 'plan', { goal: body.goal, planner: body.planner });
      const { workflow } = await call(ctx, 'workflows.save', { workflow: planned.workflow });
      const { runId } = await call(ctx, 'runs.start', { workflowId: workflow.id, inputs: body.inputs ?? {} });
      return { run_id: runId, workflow_id: workflow.id, planner: planned.planner };
    },
  },
  {
    method: 'GET', path: '/api/workflows', operationId: 'listWorkflows', summary: 'Saved workflows, newest first.',
    handle: (ctx) => call(ctx, 'workflows.list', {}),
  },
  {
    method: 'POST', path: '/api/workflows', operationId: 'saveWorkflow', summary: 'Save a workflow document (the body, or {workflow}).',
    async handle(ctx, m) {
      const body = (await readJsonBody(m.req)) as { workflow?: unknown; nodes?: unknown };
      const doc = body && typeof body === 'object' && 'workflow' in body && !('nodes' in body) ? body.workflow : body;
      const { workflow, problems } = await call(ctx, 'workflows.save', { workflow: doc });
      return { workflow_id: workflow.id, version: workflow.version, workflow, problems };
    },
  },
  {
    method: 'GET', path: '/api/workflows/:id', operationId: 'getWorkflow', summary: 'A saved workflow document.',
    handle: async (ctx, m) => (await call(ctx, 'workflows.get', { id: m.params.id })).workflow,
  },
  {
    method: 'POST', path: '/api/runs', operationId: 'startRun', summary: 'Start a run of a saved workflow (workflow_id) or of a document (workflow).', body: json(StartRunBody),
    async handle(ctx, m) {
      const body = parseBody(StartRunBody, await readJsonBody(m.req));
      const { runId } = await call(ctx, 'runs.start', { workflowId: body.workflow_id, workflow: body.workflow, inputs: body.inputs ?? {}, allow: body.allow });
      return { run_id: runId };
    },
  },
  {
    method: 'GET', path: '/api/runs', operationId: 'listRuns', summary: 'Runs, newest first (?workflow_id=, ?limit=).',
    handle(ctx, m) {
      const limit = m.url.searchParams.get('limit');
      return call(ctx, 'runs.list', { workflowId: m.url.searchParams.get('workflow_id') ?? undefined, limit: limit === null ? undefined : Number(limit) });
    },
  },
  {
    method: 'GET', path: '/api/runs/:id', operationId: 'getRun', summary: 'A run’s state with every node (status, output, error, attempts), dead letters and artifacts.',
    async handle(ctx, m) {
      const detail = (await call(ctx, 'runs.get', { runId: m.params.id })) as RunDetail;
      const view = foldRun(detail.run.id, detail.events, Infinity, detail.run.snapshot.nodes.map((n) => n.id));
      return { run_id: detail.run.id, workflow_id: detail.run.workflowId, ...view, run: detail.run, nodeRuns: detail.nodeRuns };
    },
  },
  {
    method: 'GET', path: '/api/runs/:id/events', operationId: 'runEvents', summary: 'Events after a sequence number (?after=SEQ).', query: ['after', 'limit'],
    async handle(ctx, m) {
      const after = m.url.searchParams.get('after');
      const limit = m.url.searchParams.get('limit');
      const afterSeq = after === null || after === '' ? 0 : Number(after);
      const { events } = await call(ctx, 'runs.events', { runId: m.params.id, afterSeq, limit: limit === null ? undefined : Number(limit) });
      return { events, last_seq: events.length ? events[events.length - 1].seq : afterSeq };
    },
  },
  {
    method: 'GET', path: '/api/runs/:id/scorecard', operationId: 'runScorecard', summary: 'The run’s scorecard: outcome, failing node, wall time, critical path, approval wait, per-node latency, retries, tokens and cost by model, cache hits, artifact links.',
    handle: (ctx, m) => call(ctx, 'runs.scorecard', { runId: m.params.id }),
  },
  {
    method: 'POST', path: '/api/runs/:id/nodes/:node/rerun', operationId: 'rerunNode', summary: 'Rerun a node (mode: only | downstream, optional edited inputs, or the edited workflow whose definitions the rerun nodes use).', body: json(RerunBody),
    async handle(ctx, m) {
      const body = parseBody(RerunBody, await readJsonBody(m.req));
      return call(ctx, 'runs.rerunNode', { runId: m.params.id, nodeId: m.params.node, ...body });
    },
  },
  {
    method: 'POST', path: '/api/runs/:id/retry-failed', operationId: 'retryFailed', summary: 'Rerun every dead letter of the run.',
    handle: (ctx, m) => call(ctx, 'runs.retryFailed', { runId: m.params.id }),
  },
  {
    method: 'POST', path: '/api/runs/:id/cancel', operationId: 'cancelRun', summary: 'Cancel a run.',
    handle: (ctx, m) => call(ctx, 'runs.cancel', { runId: m.params.id }),
  },
  {
    method: 'GET', path: '/api/artifacts/:id/download', operationId: 'downloadArtifact', summary: 'The artifact’s file.', binary: 'application/octet-stream',
    async handle(ctx, m) {
      const artifact = ctx.engine.getArtifact(m.params.id);
      if (!artifact) throw new HttpError(404, { code: 'not-found', message: `No artifact with id "${m.params.id}".` });
      return sendFile(m.res, artifact.mime || 'application/octet-stream', artifact.name, ctx.engine.artifactPath(artifact.id), artifact.size);
    },
  },
  {
    method: 'GET', path: '/api/runs/:id/export', operationId: 'exportRun', summary: 'The run as a zip: workflow snapshot, events (JSONL) and artifacts.', binary: 'application/zip',
    async handle(ctx, m) {
      if (!ctx.engine.getRun(m.params.id)) throw new HttpError(404, { code: 'not-found', message: `No run with id "${m.params.id}".` });
      return sendFile(m.res, 'application/zip', `run-${m.params.id}.zip`, await ctx.engine.exportRunBundle(m.params.id));
    },
  },
  {
    method: 'POST', path: '/api/runs/import', operationId: 'importRun', summary: 'Open a run bundle (the zip `exportRun` made, as the body; ?file_name= names it) as a finished, read-only run: `runs.import`.', binaryBody: 'application/zip', query: ['file_name'],
    async handle(ctx, m) {
      const bundle = await readBytesBody(m.req, MAX_RUN_BUNDLE_BYTES);
      const fileName = m.url.searchParams.get('file_name') ?? undefined;
      // The bytes go to the engine as they are: through the command (base64 in JSON), a 50 MB bundle held the loop ~230 ms encoding, checking and decoding it.
      const request = parseBody(api['runs.import'].request.pick({ fileName: true }), fileName ? { fileName } : {});
      return ctx.engine.importRunBundle(bundle, request).catch((err: unknown) => {
        const error = toApiError(err);
        throw new HttpError(statusFor(error.code), error);
      });
    },
  },
  {
    method: 'POST', path: '/api/commands/:command', operationId: 'command', summary: 'Any command of the API table (see the Commands section).',
    async handle(ctx, m) {
      return call(ctx, m.params.command as CommandName, await readJsonBody(m.req));
    },
  },
];

const compiled = ROUTES.map((route) => {
  const params: string[] = [];
  const pattern = route.path.replace(/:(\w+)/g, (_, name: string) => (params.push(name), '([^/]+)'));
  return { route, params, regex: new RegExp(`^${pattern}/?$`) };
});

export const REST_ROUTES: RouteInfo[] = compiled
  .filter((c) => c.route.operationId !== 'command')
  .map(({ route, params }) => {
    const { handle: _handle, ...info } = route;
    return { ...info, params, openApiPath: route.path.replace(/:(\w+)/g, '{$1}') };
  });

/** Answers a REST request; false when no route's path matches. */
export async function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<unknown | false> {
  let pathMatched = false;
  for (const { route, params, regex } of compiled) {
    const found = regex.exec(url.pathname);
    if (!found) continue;
    pathMatched = true;
    if (route.method !== req.method && !(route.method === 'GET' && req.method === 'HEAD')) continue;
    const values: Record<string, string> = {};
    try {
      params.forEach((name, i) => (values[name] = decodeURIComponent(found[i + 1])));
    } catch {
      throw new HttpError(400, { code: 'bad-request', message: 'The URL has a malformed percent-escape.' });
    }
    return route.handle(ctx, { params: values, url, req, res });
  }
  if (pathMatched) throw new HttpError(405, { code: 'bad-request', message: `${req.method} is not allowed on ${url.pathname}.` });
  return false;
}
