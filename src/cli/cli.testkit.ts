/**
 * Shared by the CLI's integration tests: the real `awe` command started as a child
 * process as a user starts it (bin/awe.mjs running the compiled dist/cli/awe.js, which the
 * vitest global setup tests/support/build-cli.ts builds) against a fresh data folder per test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

export const ROOT = resolve(__dirname, '../..');
/** The `awe` command as installed (package.json "bin"): run it with `process.execPath`. */
export const AWE_BIN = join(ROOT, 'bin/awe.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  result: Promise<CliResult>;
  /** stdout and stderr so far. */
  output: () => string;
}

export interface StartOptions {
  /** Extra environment; `AWE_MCP_CONFIG` and the model settings are cleared (offline, hermetic) unless given here. */
  env?: Record<string, string>;
  /** Pass `--data-dir` (the sandbox's). @default true */
  dataDir?: boolean;
}

export interface CliSandbox {
  /** The test's temporary folder (fresh per test, removed after it). */
  readonly dir: string;
  readonly dataDir: string;
  start(args: string[], options?: StartOptions): CliProcess;
  awe(...args: string[]): Promise<CliResult>;
  /** Writes a file into the test folder (objects as JSON) and returns its path. */
  write(name: string, content: unknown): string;
}

/** A fresh folder per test, and every child still running at the end of a test killed. */
export function useCliSandbox(): CliSandbox {
  let dir = '';
  const children = new Set<ChildProcess>();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'awe-cli-'));
  });
  afterEach(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  const sandbox: CliSandbox = {
    get dir() {
      return dir;
    },
    get dataDir() {
      return join(dir, 'data');
    },
    start(args, options = {}) {
      const child = spawn(process.execPath, [AWE_BIN, ...args, ...(options.dataDir === false ? [] : ['--data-dir', sandbox.dataDir])], {
        cwd: ROOT,
        // A 2 s run lease: a SIGKILLed owner's runs can be taken over quickly (tests wanting the default pass AWE_LEASE_MS: '').
        env: { ...process.env, AWE_MCP_CONFIG: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', FORCE_COLOR: '0', AWE_LEASE_MS: '2000', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      const result = new Promise<CliResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
      return { child, result, output: () => stdout + stderr };
    },
    awe: (...args) => sandbox.start(args).result,
    write(name, content) {
      const file = join(dir, name);
      writeFileSync(file, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content, null, 2));
      return file;
    },
  };
  return sandbox;
}

/** Polls until `pattern` appears in the output (bounded; the message shows what did appear). */
export async function waitForOutput(output: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls `check` until it returns a value that is not undefined (bounded). */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The `--json` result: the last line of stdout. */
export const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

/** a → b → c → d, each a `util.wait` of `ms`: slow enough to kill, cancel or take over mid-way. */
export const chainOfWaits = (ms: number) => ({
  id: 'chain',
  name: 'Chain of waits',
  nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, kind: 'tool', tool: 'util.wait', inputs: { ms } })),
  edges: [
    { id: 'ab', source: 'a', target: 'b' },
    { id: 'bc', source: 'b', target: 'c' },
    { id: 'cd', source: 'c', target: 'd' },
  ],
});
