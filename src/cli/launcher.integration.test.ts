/**
 * bin/awe.mjs when this Node is too old (or AWE_USE_PINNED_NODE=1): it re-runs itself under the
 * pinned Node and must behave as the command itself would — signals passed on, the child's exit
 * status returned, and no child left behind when the launcher is SIGKILLed.
 * Real processes: a launcher, its child `awe serve` answering HTTP, real signals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AWE_BIN, ROOT, waitFor, waitForOutput } from './cli.testkit';

let dir = '';
const started: ChildProcess[] = [];
const childPids: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-launcher-'));
});
afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const pid of childPids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A live process (not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return false;
  }
}

/** The pids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** `awe serve` through a relaying launcher; resolves once it answers HTTP. */
async function serveThroughLauncher({ ownGroup = false } = {}) {
  const launcher = spawn(process.execPath, [AWE_BIN, 'serve', '--port', '0', '--data-dir', join(dir, 'data')], {
    cwd: ROOT,
    env: { ...process.env, AWE_USE_PINNED_NODE: '1', AWE_MCP_CONFIG: '', OPENAI_API_KEY: '', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // As a shell starts a foreground job: its own process group.
    detached: ownGroup,
  });
  started.push(launcher);
  let out = '';
  launcher.stdout!.on('data', (d) => (out += d));
  launcher.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => launcher.on('exit', (code, signal) => res({ code, signal })));
  const [, url] = await waitForOutput(() => out, /serving (http:\/\/\S+)/, 60_000);
  const [server] = childrenOf(launcher.pid!);
  expect(server, 'the launcher runs the command in a child').toBeGreaterThan(0);
  childPids.push(server);
  const app = new URL(url);
  const health = `${app.origin}/health`;
  const answer = await fetch(health, { headers: { Authorization: `Bearer ${app.searchParams.get('token')}` } });
  expect(await answer.json()).toMatchObject({ ok: true });
  return { launcher, server, url: health, exited, output: () => out };
}

describe('bin/awe.mjs relaying to the pinned Node', () => {
  it('passes SIGTERM on: `awe serve` closes cleanly and the launcher exits with its code', async () => {
    const { launcher, server, url, exited, output } = await serveThroughLauncher();
    launcher.kill('SIGTERM');
    // serve handles SIGTERM: closes the server and the engine, exits 0 — and so does the launcher.
    expect(await exited).toEqual({ code: 0, signal: null });
    await waitFor('the server process to end', () => (alive(server) ? undefined : true), 10_000);
    await expect(fetch(url)).rejects.toThrow();
    expect(output()).not.toMatch(/Error/);
  });

  it('a Ctrl-C in the terminal reaches the command once: `awe serve` closes cleanly and exits 0', async () => {
    const { launcher, server, exited } = await serveThroughLauncher({ ownGroup: true });
    // Ctrl-C: SIGINT to every process of the terminal's foreground group, which the launcher leads.
    // serve stops listening for SIGINT after the first: a second one (straight from the terminal
    // and again from the launcher) would kill it mid-close, and the launcher would end by SIGINT.
    process.kill(-launcher.pid!, 'SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    await waitFor('the server process to end', () => (alive(server) ? undefined : true), 10_000);
  });

  it('ends as the child ended: SIGHUP (not handled by serve) ends both by that signal', async () => {
    const { launcher, server, exited } = await serveThroughLauncher();
    launcher.kill('SIGHUP');
    expect(await exited).toEqual({ code: null, signal: 'SIGHUP' });
    await waitFor('the server process to end', () => (alive(server) ? undefined : true), 10_000);
  });

  it('leaves no orphan: SIGKILL of the launcher stops `awe serve` too', async () => {
    const { launcher, server, url, exited } = await serveThroughLauncher();
    launcher.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    await waitFor('the orphaned server to stop', () => (alive(server) ? undefined : true), 15_000);
    await expect(fetch(url)).rejects.toThrow();
  });
});
