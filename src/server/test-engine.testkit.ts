/**
 * TEST SUPPORT ONLY — the real engine over a fresh temp data folder, and a real server in front
 * of it, for the server integration tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createEngine } from '../engine/engine';
import type { Engine, EngineOptions } from '../engine/types';
import { startServer, type RunningServer, type ServerOptions } from './server';

/** The engine's temp data folder goes with it when it is closed. */
export function makeTestEngine(options: Partial<EngineOptions> = {}): Engine {
  const made = mkdtempSync(join(tmpdir(), 'awe-server-'));
  const engine = createEngine({ dataDir: made, interactive: true, ...options });
  const close = engine.close.bind(engine);
  engine.close = async () => {
    await close();
    rmSync(made, { recursive: true, force: true });
  };
  return engine;
}

/** The server a test file shares: read its fields inside tests (they are set before the first one). */
export interface TestServer extends Readonly<Pick<RunningServer, 'url' | 'token' | 'appUrl'>> {
  readonly engine: Engine;
  /** A JSON request carrying the server's token: the status and the JSON answer. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/**
 * A real engine (makeTestEngine, with `engineOptions`) behind `startServer` on a free loopback
 * port, started before the file's tests and closed after them. `serverOptions` is a function
 * when it needs what a `beforeAll` of the file prepares first (it runs after those registered earlier).
 */
export function useTestServer(
  serverOptions: Omit<ServerOptions, 'engine' | 'port'> | (() => Omit<ServerOptions, 'engine' | 'port'>) = {},
  engineOptions: Partial<EngineOptions> = {},
): TestServer {
  let engine: Engine | undefined;
  let running: RunningServer | undefined;
  beforeAll(async () => {
    engine = makeTestEngine(engineOptions);
    running = await startServer({ engine, port: 0, ...(typeof serverOptions === 'function' ? serverOptions() : serverOptions) });
  });
  afterAll(async () => {
    await running?.close();
    await engine?.close();
  });
  const started = (): RunningServer => {
    if (!running) throw new Error('the test server is not started yet: use it inside a test or a later hook');
    return running;
  };
  return {
    get engine() {
      started();
      return engine!;
    },
    get url() {
      return started().url;
    },
    get appUrl() {
      return started().appUrl;
    },
    get token() {
      return started().token;
    },
    async api(method, path, body) {
      const res = await fetch(started().url + path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${started().token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}
