/**
 * A scripted OpenAI-compatible server on 127.0.0.1 for tests that drive the REAL `openai`
 * client over real HTTP. `POST /v1/chat/completions` replays a queue of scripted replies
 * (chat completions, error statuses, malformed bodies) in order and records every request,
 * so tests can assert what the engine sent (e.g. that validator problems were fed back).
 *
 *   const server = await startScriptedOpenAI();
 *   server.enqueue(completion({ content: '{"ok":true}' }), { status: 429, retryAfter: '2' });
 *   const client = createLlmClient({ baseUrl: server.baseUrl, apiKey: 'test', model: 'm' });
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedReply =
  /** A 200 reply with this JSON body (build one with `completion()` / `toolCallCompletion()`). */
  | { body: unknown; status?: number; headers?: Record<string, string> }
  /** An error status with an OpenAI-style error body; `retryAfter` sets the retry-after header. */
  | { status: number; message?: string; retryAfter?: string }
  /** A 200 reply whose body is this raw text (malformed JSON, HTML, …). */
  | { raw: string; status?: number; contentType?: string }
  /** Closes the connection without answering (a connection reset). */
  | { hangUp: true };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (the chat completion request). */
  body: any;
}

export interface ScriptedOpenAI {
  /** `http://127.0.0.1:PORT/v1`, the `baseURL` for the openai client. */
  baseUrl: string;
  requests: RecordedRequest[];
  enqueue(...replies: ScriptedReply[]): void;
  /** Replies not yet consumed. */
  pending(): number;
  close(): Promise<void>;
}

let completionSeq = 0;

/** A chat completion body with one assistant message. */
export function completion(opts: {
  content?: string | null;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  finishReason?: string;
  toolCalls?: { id?: string; name: string; arguments: unknown }[];
}): { body: unknown } {
  completionSeq += 1;
  const promptTokens = opts.promptTokens ?? 10;
  const completionTokens = opts.completionTokens ?? 5;
  const toolCalls = opts.toolCalls?.map((c, i) => ({
    id: c.id ?? `call_${completionSeq}_${i}`,
    type: 'function',
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
  return {
    body: {
      id: `chatcmpl-${completionSeq}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: opts.model ?? 'scripted-model',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: opts.content ?? null, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
          finish_reason: opts.finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    },
  };
}

/** A completion whose assistant message asks for tool calls (the `agent.run` loop). */
export function toolCallCompletion(
  calls: { id?: string; name: string; arguments: unknown }[],
  usage?: { promptTokens?: number; completionTokens?: number },
): { body: unknown } {
  return completion({ toolCalls: calls, ...usage });
}

/** A completion whose content is `value` as JSON text (structured output). */
export function jsonCompletion(value: unknown, usage?: { promptTokens?: number; completionTokens?: number }): { body: unknown } {
  return completion({ content: JSON.stringify(value), ...usage });
}

export async function startScriptedOpenAI(initial: ScriptedReply[] = []): Promise<ScriptedOpenAI> {
  const queue: ScriptedReply[] = [...initial];
  const requests: RecordedRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the raw text: a test may want to see what a broken client sent
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });

      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
        send(res, 404, { error: { message: `scripted server: no route ${req.method} ${path}`, type: 'invalid_request_error' } });
        return;
      }
      const reply = queue.shift();
      if (!reply) {
        // An unexpected extra request is a test failure worth a loud, readable message.
        send(res, 500, { error: { message: 'scripted server: no scripted reply left', type: 'server_error' } });
        return;
      }
      if ('hangUp' in reply) {
        req.socket.destroy();
        return;
      }
      if ('raw' in reply) {
        res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' });
        res.end(reply.raw);
        return;
      }
      if ('body' in reply) {
        send(res, reply.status ?? 200, reply.body, reply.headers);
        return;
      }
      const headers: Record<string, string> = {};
      if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
      send(
        res,
        reply.status,
        { error: { message: reply.message ?? `scripted error ${reply.status}`, type: reply.status === 429 ? 'rate_limit_error' : 'server_error', code: null } },
        headers,
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
