/**
 * How fast the compiled `awe` answers, wall clock, as a person starts it (bin/awe.mjs):
 *   awe --help                       target < 100 ms
 *   awe runs (a data folder with runs) target < 200 ms
 *   awe show RUN                     target < 200 ms (like runs, it reads the store only)
 *   awe serve, start to first answer  target < 300 ms (GET /health answered)
 * Printed beside the targets, never asserted (a loaded machine is slower, not broken).
 *   npx tsx bench/cli.ts            (also run by `npm run bench`)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildCli, cliIsCurrent } from '../scripts/build-cli.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const AWE = join(ROOT, 'bin', 'awe.mjs');
const TIMES = 7;
const env = { ...process.env, AWE_MCP_CONFIG: '', OPENAI_API_KEY: '', FORCE_COLOR: '0' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function awe(args: string[]): { ms: number; stdout: string } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [AWE, ...args], { env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`awe ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}
const timeCommand = (args: string[]): number => awe(args).ms;

async function timeServe(dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [AWE, 'serve', '--port', '0', '--token', 'bench', '--data-dir', dataDir], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    const origin = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /serving (http:\/\/[^/\s]+)/.exec(out);
        if (m) res(m[1]);
      });
      child.once('exit', (code) => rej(new Error(`awe serve exited ${code}: ${out}`)));
    });
    for (;;) {
      const answered = await fetch(`${origin}/health`, { headers: { Authorization: 'Bearer bench' } }).then(
        (r) => r.ok,
        () => false,
      );
      if (answered) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
}

const line = (what: string, ms: number, target: number) =>
  console.log(`  ${what.padEnd(34)} ${ms.toFixed(0).padStart(5)} ms   target < ${target} ms${ms <= target ? '' : `   (${(ms / target).toFixed(1)}× over)`}`);

export async function benchCli(): Promise<void> {
  if (!cliIsCurrent()) await buildCli({ quiet: true });
  const dir = mkdtempSync(join(tmpdir(), 'awe-bench-cli-'));
  try {
    const dataDir = join(dir, 'data');
    // A data folder with a few finished runs, so `awe runs` has a list to print.
    const file = join(dir, 'tiny.awe.json');
    writeFileSync(file, JSON.stringify({ id: 'tiny', name: 'Tiny', nodes: [{ id: 'a', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } }], edges: [] }));
    for (let i = 0; i < 3; i++) timeCommand(['run', file, '--data-dir', dataDir]);
    // The first start of a build fills Node's compile cache; people start it many times after.
    timeCommand(['--help']);
    const help = median(Array.from({ length: TIMES }, () => timeCommand(['--help'])));
    const runs = median(Array.from({ length: TIMES }, () => timeCommand(['runs', '--data-dir', dataDir])));
    const [{ runId }] = JSON.parse(awe(['runs', '--json', '--data-dir', dataDir]).stdout) as { runId: string }[];
    const show = median(Array.from({ length: TIMES }, () => timeCommand(['show', runId, '--data-dir', dataDir])));
    const serve: number[] = [];
    for (let i = 0; i < 5; i++) serve.push(await timeServe(dataDir));
    const bare = median(Array.from({ length: TIMES }, () => {
      const started = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      return performance.now() - started;
    }));
    console.log(`\nCLI start-up (compiled, bin/awe.mjs; median wall of ${TIMES}; bare \`node -e 0\` takes ${bare.toFixed(0)} ms here)`);
    line('awe --help', help, 100);
    line('awe runs', runs, 200);
    line('awe show RUN', show, 200);
    line('awe serve → first answer', median(serve), 300);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.filename === process.argv[1]) await benchCli();
