/**
 * The OpenAPI document (`/api/openapi.json`) and a small docs page (`/api/docs`),
 * generated from the API table's zod schemas so they cannot drift from the code.
 */
import { z } from 'zod';
import { api, ApiError, COMMAND_NAMES } from '../contract';
import { REST_ROUTES } from './rest';

const schemaOf = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

const jsonContent = (schema: unknown) => ({ 'application/json': { schema } });

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const errorSchema = { type: 'object', properties: { error: schemaOf(ApiError, 'output') }, required: ['error'] };
  const errors = {
    '400': { description: 'Malformed JSON or a request that does not match the schema', content: jsonContent(errorSchema) },
    '401': { description: 'Token missing or wrong' },
    '404': { description: 'Unknown id or command', content: jsonContent(errorSchema) },
    '413': { description: 'Body larger than 10 MB', content: jsonContent(errorSchema) },
    '422': { description: 'The workflow is invalid (every problem listed)', content: jsonContent(errorSchema) },
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of REST_ROUTES) {
    const op: Record<string, unknown> = {
      summary: route.summary,
      operationId: route.operationId,
      tags: ['REST'],
      parameters: route.params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      responses: { '200': { description: 'OK', content: route.binary ? { [route.binary]: {} } : jsonContent({}) }, ...errors },
    };
    if (route.body) op.requestBody = { required: true, content: jsonContent(route.body) };
    if (route.binaryBody) op.requestBody = { required: true, content: { [route.binaryBody]: {} } };
    if (route.query) op.parameters = [...(op.parameters as unknown[]), ...route.query.map((name) => ({ name, in: 'query', schema: { type: 'integer', minimum: 0 } }))];
    (paths[route.openApiPath] ??= {})[route.method.toLowerCase()] = op;
  }
  for (const name of COMMAND_NAMES) {
    const spec = api[name];
    paths[`/api/commands/${name}`] = {
      post: {
        summary: spec.doc,
        operationId: name,
        tags: ['Commands'],
        description: `The \`${name}\` command of the API table, as also carried by Electron IPC and the WebSocket at /ws.`,
        requestBody: { required: true, content: jsonContent(schemaOf(spec.request, 'input')) },
        responses: { '200': { description: 'OK', content: jsonContent(schemaOf(spec.response, 'output')) }, ...errors },
      },
    };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'AWE API',
      version: '1',
      description:
        'REST routes plus every command of the API table. The same commands travel over the WebSocket at /ws as ' +
        '{"kind":"call","id":1,"command":"runs.start","request":{…}}; events arrive as {"kind":"events","events":[…]}.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{}, { bearer: [] }],
    paths,
  };
  return cached;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function docsPage(): string {
  const rows = REST_ROUTES.map((r) => `<tr><td><code>${r.method}</code></td><td><code>${escapeHtml(r.path)}</code></td><td>${escapeHtml(r.summary)}</td></tr>`).join('\n');
  const commands = COMMAND_NAMES.map((c) => `<tr><td><code>${escapeHtml(c)}</code></td><td>${escapeHtml(api[c].doc)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AWE API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}td{padding:.2rem .6rem;vertical-align:top}code{font-size:13px}</style>
</head><body>
<h1>AWE API</h1>
<p>The machine-readable description is <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1, generated from the zod schemas).
Every request needs the token <code>awe serve</code> printed (also in <code>DATA_DIR/serve-token</code>): send <code>Authorization: Bearer &lt;token&gt;</code> or add <code>?token=</code>.</p>
<h2>REST routes</h2><table>${rows}</table>
<h2>Commands</h2>
<p>Each command is <code>POST /api/commands/&lt;name&gt;</code> with a JSON body, or a WebSocket message on <code>/ws</code>:
<code>{"kind":"call","id":1,"command":"runs.start","request":{…}}</code> answered by
<code>{"kind":"result","id":1,"ok":true,"result":…}</code> or <code>{"kind":"result","id":1,"ok":false,"error":{code,message}}</code>.
Events are pushed as <code>{"kind":"events","events":[…]}</code>, at most one message per ~16 ms; after a reconnect, call
<code>runs.events</code> with <code>afterSeq</code> set to the last sequence number seen.</p>
<table>${commands}</table>
</body></html>`;
}
