/**
 * Run ownership by lease, with real `awe` processes: a SIGKILLed owner left unreaped (a
 * zombie still answers `kill(pid, 0)`), an owner pid reused by an unrelated live process,
 * and `awe serve` adopting a run orphaned while it is up. Leases are shortened through
 * AWE_LEASE_MS so a lapse takes ~2 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AWE_BIN, chainOfWaits, lastJson, ROOT, useCliSandbox, waitFor, waitForOutput } from './cli.testkit';

const cli = useCliSandbox();
const LEASE = { AWE_LEASE_MS: '2000' };

const wrappers: ChildProcess[] = [];
afterEach(() => {
  for (const w of wrappers.splice(0)) if (w.exitCode === null) w.kill('SIGKILL');
});

/**
 * `awe run FILE` started by a shell that then becomes `sleep`, which never reaps children: once
 * SIGKILLed, the awe process stays a zombie whose pid still answers kill(pid, 0).
 */
async function runUnderNonReapingParent(file: string): Promise<{ pid: number; output: () => string }> {
  const log = join(cli.dir, 'run.log');
  const cmd = `"${process.execPath}" "${AWE_BIN}" run "${file}" --data-dir "${cli.dataDir}" > "${log}" 2>&1 & echo $!; exec sleep 120`;
  const wrapper = spawn('sh', ['-c', cmd], { cwd: ROOT, env: { ...process.env, ...LEASE, AWE_MCP_CONFIG: '', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'ignore'] });
  wrappers.push(wrapper);
  let out = '';
  wrapper.stdout!.on('data', (d) => (out += d));
  const [, pid] = await waitForOutput(() => out, /^(\d+)\n/, 60_000);
  const output = () => {
    try {
      return readFileSync(log, 'utf8');
    } catch {
      return '';
    }
  };
  return { pid: Number(pid), output };
}

const isZombie = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');

const runStatus = (runId: string) => {
  const db = new Database(join(cli.dataDir, 'awe.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string }).status;
  } finally {
    db.close();
  }
};

describe('run ownership by lease', () => {
  it('resumes a SIGKILLed run whose dead owner is still an unreaped zombie, once its lease lapses', async () => {
    const { pid, output } = await runUnderNonReapingParent(cli.write('chain.awe.json', chainOfWaits(400)));
    const [, runId] = await waitForOutput(output, /run (\S+) of chain started[\s\S]*✓ a succeeded/, 60_000);
    process.kill(pid, 'SIGKILL');
    await waitFor('the killed owner to become a zombie', () => (isZombie(pid) ? true : undefined));
    // The zombie still "exists" for kill(pid, 0): pid liveness would call the run owned.
    expect(() => process.kill(pid, 0)).not.toThrow();

    const resumed = await cli.start(['resume', runId, '--json'], { env: LEASE }).result;
    expect(resumed.stderr).not.toMatch(/being executed by another AWE process/);
    expect(resumed.code).toBe(0);
    const result = lastJson(resumed.stdout);
    expect(result.status).toBe('succeeded');
    // Finished before the kill: never executed again.
    expect(result.nodes.a.attempts).toBe(1);
  }, 120_000);

  it('resume of a run a live process executes waits for a renewal, then refuses naming the process', async () => {
    const run = cli.start(['run', cli.write('chain.awe.json', chainOfWaits(20_000))], { env: LEASE });
    const [, runId] = await waitForOutput(run.output, /run (\S+) of chain started[\s\S]*▶ a running/, 60_000);
    const resumed = await cli.start(['resume', runId], { env: LEASE }).result;
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(`run ${runId} is held by another AWE process (pid ${run.child.pid}); waiting up to`);
    expect(resumed.stderr).toMatch(`run ${runId} is being executed by another AWE process (pid ${run.child.pid})`);
    expect(run.child.exitCode).toBeNull();
  }, 120_000);

  it('a stale pid of an unrelated live process blocks neither resume nor cancel', async () => {
    const killedRun = async () => {
      const run = cli.start(['run', cli.write('chain.awe.json', chainOfWaits(400))], { env: LEASE });
      const [, runId] = await waitForOutput(run.output, /run (\S+) of chain started[\s\S]*✓ a succeeded/, 60_000);
      run.child.kill('SIGKILL');
      await run.result;
      // As if the dead owner's pid had been reused by a live process (this test's).
      const db = new Database(join(cli.dataDir, 'awe.db'));
      db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(process.pid, runId);
      db.close();
      return runId;
    };
    const toResume = await killedRun();
    const resumed = await cli.start(['resume', toResume, '--json'], { env: LEASE }).result;
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({ runId: toResume, status: 'succeeded' });

    const toCancel = await killedRun();
    const cancelled = await cli.start(['cancel', toCancel], { env: LEASE }).result;
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(`run ${toCancel} cancelled`);
    expect(runStatus(toCancel)).toBe('cancelled');
  }, 180_000);

  it('awe serve adopts a run orphaned while it is up, without a restart', async () => {
    const serve = cli.start(['serve', '--port', '0'], { env: LEASE });
    await waitForOutput(serve.output, /AWE is serving/, 60_000);
    // b waits 2 s: the kill lands mid-run even when this process reads a's line late.
    const chain = chainOfWaits(300);
    chain.nodes.find((n) => n.id === 'b')!.inputs.ms = 2_000;
    const run = cli.start(['run', cli.write('chain.awe.json', chain)], { env: LEASE });
    const [, runId] = await waitForOutput(run.output, /run (\S+) of chain started[\s\S]*✓ a succeeded/, 60_000);
    run.child.kill('SIGKILL');
    await run.result;
    expect(runStatus(runId)).toBe('running');

    await waitFor('serve to adopt and finish the run', () => (runStatus(runId) === 'succeeded' ? true : undefined), 60_000);
    expect(serve.output()).toMatch(`adopted run ${runId}`);
    serve.child.kill('SIGTERM');
    expect((await serve.result).code).toBe(0);
  }, 120_000);

  it('a process that exits cleanly releases its runs: resume right after needs no wait', async () => {
    const serve = cli.start(['serve', '--port', '0'], { env: LEASE });
    await waitForOutput(serve.output, /AWE is serving/, 60_000);
    // a is still going (5 s) when serve stops; b, c and d are short, so the resume takes ~5 s, not 20.
    const chain = chainOfWaits(5_000);
    chain.nodes.forEach((n) => n.id !== 'a' && (n.inputs.ms = 1));
    const run = cli.start(['run', cli.write('chain.awe.json', chain)], { env: LEASE });
    const [, runId] = await waitForOutput(run.output, /run (\S+) of chain started[\s\S]*▶ a running/, 60_000);
    run.child.kill('SIGKILL');
    await run.result;
    // serve adopts it, then stops cleanly (SIGTERM) in the middle of it.
    await waitForOutput(serve.output, new RegExp(`adopted run ${runId}`), 30_000);
    serve.child.kill('SIGTERM');
    expect((await serve.result).code).toBe(0);
    expect(runStatus(runId)).toBe('running');

    // Had serve not released its lease on exit, this resume would find it held and wait for it to lapse.
    const resumed = await cli.start(['resume', runId, '--json'], { env: { AWE_LEASE_MS: '' } }).result;
    expect(resumed.stderr).not.toMatch(/held by another AWE process/);
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({ runId, status: 'succeeded' });
  }, 120_000);
});
