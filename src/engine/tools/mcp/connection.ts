/**
 * One MCP server as AWE uses it: started on first use, reused across calls, every call under
 * a deadline, and restarted with bounded exponential backoff after it crashes.
 *
 * A crash is blamed on a call only when the server died while that call ran alone: every call
 * in flight when a server dies is retried once on a fresh server, one at a time (not counted
 * against the node's attempts). A neighbour of a crashing tool thus succeeds, and the tool that
 * kills its server fails with MCP_CRASHED_SERVER naming it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerInfo } from '../../../contract';
import { ToolError, permanent, transient } from '../../errors';
import type { ToolContext } from '../types';
import { commandLine, isStdio, type McpServerConfig } from './config';
import { ProcessGroupStdioTransport } from './stdio-transport';
import type { McpListedTool, McpToolOutput } from './tool-spec';

export interface McpConnectionOptions {
  /** Deadline of one tool call (on top of the node's own signal). @default 60000 */
  callTimeoutMs: number;
  /** Deadline for starting the server and the MCP handshake: a server that hangs at start fails (only itself) after this. @default 10000 */
  startTimeoutMs: number;
  /** First restart delay after a crash; doubles per consecutive failure. @default 500 */
  backoffBaseMs: number;
  /** Longest restart delay. @default 30000 */
  backoffMaxMs: number;
  /** Told each time the server is started again after a crash or disconnect. */
  onRestart?: (server: string) => void;
}

export const DEFAULT_CONNECTION_OPTIONS: McpConnectionOptions = { callTimeoutMs: 60_000, startTimeoutMs: 10_000, backoffBaseMs: 500, backoffMaxMs: 30_000 };

const STDERR_TAIL_CHARS = 2000;

interface Live {
  client: Client;
  closed: boolean;
  stderr: () => string;
  pid: number | null;
}

/** The server died under a call (internal: decides between a retry alone and blaming the call). */
class ServerLost extends Error {
  constructor(
    readonly stderr: string,
    readonly reason: unknown,
  ) {
    super('MCP server lost');
  }
}

/** Waits for `promise` but gives up when `signal` aborts (the promise keeps running for others). */
const abortable = <T>(promise: Promise<T>, signal: AbortSignal) =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });

export class McpServerConnection {
  status: McpServerInfo['status'] = 'idle';
  error?: string;
  private live?: Promise<Live>;
  /** The started server that `live` resolved to; a stale one's exit must not reset a newer start. */
  private current?: Live;
  private failures = 0;
  private nextStartAt = 0;
  private closing = false;
  /** Calls started normally and still running; a call retried alone waits for them to end. */
  private shared = 0;
  /** Retries that must run alone, queued one after another; normal calls wait while any is queued. */
  private aloneQueue: Promise<unknown> = Promise.resolve();
  private aloneWaiting = 0;
  private readonly turnWaiters = new Set<() => void>();
  /** Transports of starts still under way: close ends them at once instead of waiting out the start deadline. */
  private readonly startingTransports = new Set<{ close(): Promise<void> }>();

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly options: McpConnectionOptions = DEFAULT_CONNECTION_OPTIONS,
  ) {}

  get commandLine(): string {
    return commandLine(this.config);
  }

  /** The server process's id while it runs (stdio servers only). */
  async pid(): Promise<number | null> {
    return this.live ? (await this.live.catch(() => undefined))?.pid ?? null : null;
  }

  async listTools(signal: AbortSignal): Promise<{ tools: McpListedTool[]; serverVersion: string }> {
    const live = await this.connect(signal);
    const tools: McpListedTool[] = [];
    let cursor: string | undefined;
    // Bounded: a server that pages forever must not hang the catalog.
    for (let page = 0; page < 100; page++) {
      const result = await live.client.listTools(cursor ? { cursor } : undefined, { signal, timeout: this.options.startTimeoutMs });
      tools.push(...(result.tools as McpListedTool[]));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return { tools, serverVersion: live.client.getServerVersion()?.version ?? '0' };
  }

  async call(tool: string, args: Record<string, unknown>, ctx: ToolContext): Promise<McpToolOutput> {
    const label = `mcp.${this.name}.${tool}`;
    // Waiting for a turn is bounded by the node's own deadline (ctx.signal) only.
    await this.waitTurn(() => this.aloneWaiting === 0, ctx.signal);
    this.shared += 1;
    try {
      return await this.callOnce(tool, args, ctx);
    } catch (err) {
      if (!(err instanceof ServerLost)) throw err;
    } finally {
      this.shared -= 1;
      this.notifyTurn();
    }
    // The server died under this call, perhaps because of a neighbour: once more on a fresh
    // server, alone, so that a second death can only be this call's doing.
    this.aloneWaiting += 1;
    const turn = this.aloneQueue.then(async () => {
      try {
        await this.waitTurn(() => this.shared === 0, ctx.signal);
        return await this.callOnce(tool, args, ctx);
      } catch (err) {
        if (!(err instanceof ServerLost)) throw err;
        throw permanent(
          'MCP_CRASHED_SERVER',
          `${label} made MCP server '${this.name}' exit (it died under this call again when it ran alone)${err.stderr ? `; its last output: ${err.stderr}` : ''}`,
          { cause: err.reason },
        );
      } finally {
        this.aloneWaiting -= 1;
        this.notifyTurn();
      }
    });
    this.aloneQueue = turn.catch(() => undefined);
    return turn;
  }

  /** Resolves once `ready()` holds (re-checked whenever a call ends), or rejects when `signal` aborts. */
  private waitTurn(ready: () => boolean, signal: AbortSignal): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!ready()) return;
        cleanup();
        resolve();
      };
      const onAbort = () => {
        cleanup();
        reject(signal.reason);
      };
      const cleanup = () => {
        this.turnWaiters.delete(check);
        signal.removeEventListener('abort', onAbort);
      };
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.turnWaiters.add(check);
    });
  }

  private notifyTurn(): void {
    for (const check of [...this.turnWaiters]) check();
  }

  /** One call on the running server (started if needed: the start has its own deadline, the call's starts after it). */
  private async callOnce(tool: string, args: Record<string, unknown>, ctx: ToolContext): Promise<McpToolOutput> {
    const label = `mcp.${this.name}.${tool}`;
    const limit = this.options.callTimeoutMs;
    const timedOut = (cause?: unknown) => transient('TIMEOUT', `${label} did not answer within ${limit} ms`, { cause });
    let live: Live;
    try {
      live = await this.connect(ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
      throw err;
    }
    const deadline = AbortSignal.any([ctx.signal, AbortSignal.timeout(limit)]);
    let result: Awaited<ReturnType<Client['callTool']>>;
    try {
      result = await live.client.callTool({ name: tool, arguments: args }, undefined, { signal: deadline, timeout: limit });
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
      const code = err instanceof McpError ? err.code : undefined;
      if (deadline.aborted || code === ErrorCode.RequestTimeout) throw timedOut(err);
      if (live.closed || code === ErrorCode.ConnectionClosed) {
        await new Promise((resolve) => setImmediate(resolve)); // let the last stderr lines arrive
        throw new ServerLost(live.stderr(), err);
      }
      throw permanent(code === ErrorCode.InvalidParams ? 'INVALID_INPUT' : 'MCP_ERROR', `${label}: ${(err as Error).message}`, { cause: err });
    }
    this.failures = 0;
    const content = 'content' in result && Array.isArray(result.content) ? (result.content as Record<string, unknown>[]) : [{ type: 'text', text: JSON.stringify(result.toolResult) }];
    const text = content
      .filter((c) => c.type === 'text' && typeof c.text === 'string')
      .map((c) => c.text as string)
      .join('\n');
    if (result.isError) throw permanent('MCP_TOOL_ERROR', `${label} failed: ${text || 'the server gave no message'}`);
    const structured = result.structuredContent as Record<string, unknown> | undefined;
    return structured ? { content, structuredContent: structured, text } : { content, text };
  }

  async close(): Promise<void> {
    this.closing = true;
    const live = this.live;
    this.live = undefined;
    this.current = undefined;
    this.status = 'idle';
    await Promise.all([...this.startingTransports].map((t) => t.close().catch(() => {})));
    const client = (await live?.catch(() => undefined))?.client;
    await client?.close().catch(() => {});
  }

  /** The running server, started if needed; concurrent callers share one start. */
  private connect(signal: AbortSignal): Promise<Live> {
    if (this.closing) return Promise.reject(permanent('MCP_CLOSED', `MCP server '${this.name}' has been shut down`));
    if (!this.live) {
      const starting = this.start();
      this.live = starting;
      starting.catch(() => {
        if (this.live === starting) this.live = undefined;
      });
    }
    return abortable(this.live, signal);
  }

  private noteFailure(): void {
    this.failures += 1;
    this.nextStartAt = Date.now() + Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (this.failures - 1));
  }

  private async start(): Promise<Live> {
    const wait = this.nextStartAt - Date.now();
    if (wait > 0) {
      this.status = 'restarting';
      // Bounded by backoffMaxMs; callers stop waiting on their own deadline (see connect).
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.status = this.failures > 0 ? 'restarting' : 'starting';
    if (this.failures > 0) this.options.onRestart?.(this.name);
    let stderrTail = '';
    const cfg = this.config;
    const transport = isStdio(cfg)
      ? new ProcessGroupStdioTransport({
          command: cfg.command,
          args: cfg.args,
          // Only a minimal, safe environment (PATH, HOME, …) plus what the config names.
          env: { ...getDefaultEnvironment(), ...(cfg.env ?? {}) },
          cwd: cfg.cwd,
        })
      : new StreamableHTTPClientTransport(new URL(cfg.url), { requestInit: { headers: cfg.headers } });
    if (transport instanceof ProcessGroupStdioTransport) {
      transport.stderr.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
      });
    }
    const client = new Client({ name: 'awe', version: '0.1.0' });
    const live: Live = { client, closed: false, stderr: () => stderrTail.trim(), pid: null };
    let started = false;
    client.onclose = () => {
      live.closed = true;
      if (!started || this.closing || this.current !== live) return;
      // Crashed or disconnected after a good start: the next call restarts it after a backoff.
      this.current = undefined;
      this.live = undefined;
      this.status = 'restarting';
      this.error = `MCP server '${this.name}' exited${live.stderr() ? `: ${live.stderr()}` : ''}`;
      this.noteFailure();
    };
    this.startingTransports.add(transport);
    try {
      await client.connect(transport, { timeout: this.options.startTimeoutMs });
    } catch (err) {
      await client.close().catch(() => {});
      await new Promise((resolve) => setImmediate(resolve));
      this.noteFailure();
      throw this.startError(err, live.stderr());
    } finally {
      this.startingTransports.delete(transport);
    }
    started = true;
    this.current = live;
    live.pid = transport instanceof ProcessGroupStdioTransport ? transport.pid : null;
    this.status = 'ready';
    this.error = undefined;
    return live;
  }

  private startError(err: unknown, stderr: string): ToolError {
    const code = (err as { code?: unknown }).code;
    const cmd = isStdio(this.config) ? this.config.command : this.config.url;
    const reason =
      code === 'ENOENT'
        ? `command '${cmd}' was not found`
        : code === 'EACCES'
          ? `command '${cmd}' is not executable`
          : (err as Error).message || String(err);
    const message = `MCP server '${this.name}' failed to start: ${reason}\n  command: ${this.commandLine}${stderr ? `\n  stderr: ${stderr}` : ''}`;
    this.status = 'error';
    this.error = message;
    // A missing or unusable command will not fix itself; anything else may (a slow or flaky start).
    const lasting = code === 'ENOENT' || code === 'EACCES';
    return lasting ? permanent('MCP_START_FAILED', message, { cause: err }) : transient('MCP_START_FAILED', message, { cause: err });
  }
}
