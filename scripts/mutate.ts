/**
 * `npm run mutate`: do the tests catch what they claim? Each mutation below is a deliberate
 * breakage of a core file (the bug a careless change would bring). For each one, a copy of
 * the repository is made (hard links, so it is quick; the mutated file is replaced, never
 * written through its link), the mutation applied there, and only the test files that guard
 * that code are run. A mutation the tests do not fail on is MISSED: a claim no test holds.
 *
 *   npm run mutate                 every mutation
 *   npm run mutate -- fold retry   only those whose name contains one of the words
 *
 * Not part of `npm test` (it runs the guarding tests once per mutation). Exit code 1 when
 * any mutation is missed or no longer applies (the code it breaks has changed: update it here).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

interface Mutation {
  name: string;
  /** What breaks, in words. */
  why: string;
  file: string;
  from: string;
  to: string;
  /** The test files that must fail. */
  tests: string[];
}

const MUTATIONS: Mutation[] = [
  {
    name: 'deadline-pause',
    why: 'Deadline.pause() does nothing: a person deciding eats the tool’s time',
    file: 'src/engine/execution/deadline.ts',
    from: '  pause(): void {\n',
    to: '  pause(): void {\n    return;\n',
    tests: ['src/engine/execution/deadline.test.ts'],
  },
  {
    name: 'event-log-requeue',
    why: 'a failed event batch is dropped instead of queued again',
    file: 'src/engine/runs/event-log.ts',
    from: 'again.push(...items);',
    to: 'void items;',
    tests: ['src/engine/runs/event-log.retry.test.ts', 'src/engine/runs/event-log.isolation.test.ts'],
  },
  {
    name: 'fold-idempotence',
    why: 'the fold applies an event it has already applied (replays after reconnect double logs and counts)',
    file: 'src/contract/fold.ts',
    from: 'if (e.seq <= view.lastSeq) return undefined;',
    to: 'if (e.seq < 0) return undefined;',
    tests: ['src/contract/fold.test.ts'],
  },
  {
    name: 'fold-approval-attempt',
    why: 'coming back from an approval wait counts a new attempt',
    file: 'src/contract/fold.ts',
    from: 'if (!wasWaiting) n.attempts += 1;',
    to: 'n.attempts += 1;',
    tests: ['src/contract/fold.test.ts'],
  },
  {
    name: 'frontier-condition-branch',
    why: 'a node runs although no upstream branch was taken',
    file: 'src/engine/execution/frontier.ts',
    from: 'if ((this.inEdges.get(id)?.live ?? 0) > 0 || this.graph.inEdges.get(id)!.length === 0) return RUN;',
    to: 'return RUN;',
    tests: ['src/engine/execution/scheduler.conditions.test.ts'],
  },
  {
    name: 'retry-classification',
    why: 'permanent errors are retried like transient ones',
    file: 'src/engine/execution/backoff.ts',
    from: "return error.class === 'transient';",
    to: "return error.class !== 'cancelled';",
    tests: ['src/engine/execution/scheduler.retries.test.ts'],
  },
  {
    name: 'http-status-classification',
    why: 'HTTP 429 (rate limited) is treated as permanent',
    file: 'src/engine/errors.ts',
    from: 'status === 425 || status === 429 ||',
    to: 'status === 425 ||',
    tests: ['src/engine/errors.test.ts', 'src/engine/execution/scheduler.retries.test.ts'],
  },
  {
    name: 'limiter-max',
    why: 'the global limit lets one task too many run',
    file: 'src/engine/execution/limiter.ts',
    from: 'if (this.active >= this.max) return false;',
    to: 'if (this.active > this.max) return false;',
    tests: ['src/engine/execution/limiter.test.ts'],
  },
  {
    name: 'limiter-handover',
    why: 'a released slot is handed to a waiter without being counted (a newcomer can take it too)',
    file: 'src/engine/execution/limiter.ts',
    from: '        this.active++;\n        next.start();',
    to: '        next.start();',
    tests: ['src/engine/execution/limiter.test.ts'],
  },
  {
    name: 'validate-cycle',
    why: 'a workflow with a cycle is not reported',
    file: 'src/shared/graph.ts',
    from: 'if (order.length < ids.length) graph.cycle =',
    to: 'if (false) graph.cycle =',
    tests: ['src/engine/workflow/validate.test.ts', 'src/shared/graph.test.ts'],
  },
  {
    name: 'template-whole-value',
    why: 'a template that is one reference yields text instead of the value (numbers and objects become strings)',
    file: 'src/engine/workflow/templates.ts',
    from: "    return lookup(ref, scope);\n  }\n  let text = '';",
    to: "    return stringify(lookup(ref, scope));\n  }\n  let text = '';",
    tests: ['src/engine/workflow/templates.test.ts'],
  },
  {
    name: 'policy-gate',
    why: 'write and network tools run without asking',
    file: 'src/engine/tools/registry.ts',
    from: "if (spec.effects === 'write' || spec.effects === 'network') return true;",
    to: "if (spec.effects === 'network') return true;",
    tests: ['src/engine/execution/scheduler.policy.test.ts', 'src/engine/tools/registry.test.ts'],
  },
];

type Outcome = 'caught' | 'MISSED' | 'does not apply';

/** A copy of the repository: sources hard-linked, node_modules shared through a link. */
function copyOfRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'awe-mutate-'));
  for (const name of ['src', 'tests', 'resources', 'electron', 'scripts', 'bin']) {
    if (existsSync(join(ROOT, name))) spawnSync('cp', ['-al', join(ROOT, name), join(dir, name)]);
  }
  for (const file of ['package.json', 'tsconfig.json', 'vitest.config.mts']) cpSync(join(ROOT, file), join(dir, file));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function pinnedNode(): string {
  const pinned = join(ROOT, 'node_modules', '.bin', 'node');
  return existsSync(pinned) ? pinned : process.execPath;
}

/** Runs vitest on `tests` in the copy `dir`: exit status and its "Tests" line. */
function vitest(dir: string, tests: string[]): { passed: boolean; summary: string } {
  const r = spawnSync(pinnedNode(), [join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=dot', ...tests], {
    cwd: dir,
    encoding: 'utf8',
    // No CLI test runs here: the global setup need not build the command.
    env: { ...process.env, AWE_SKIP_CLI_BUILD: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 10 * 60_000,
  });
  const summary = /Tests\s+(.*)/.exec(r.stdout ?? '')?.[1]?.trim() ?? (r.error ? String(r.error) : `exit ${r.status}: ${(r.stderr ?? '').slice(-500)}`);
  return { passed: r.status === 0, summary };
}

function tryMutation(m: Mutation): { outcome: Outcome; ms: number; detail: string } {
  const started = Date.now();
  const source = readFileSync(join(ROOT, m.file), 'utf8');
  const at = source.indexOf(m.from);
  if (at < 0 || source.indexOf(m.from, at + 1) >= 0) {
    return { outcome: 'does not apply', ms: 0, detail: at < 0 ? 'the code it breaks is gone' : 'the code it breaks appears twice' };
  }
  const dir = copyOfRepo();
  try {
    // Replace, never write through: the copy's file is a hard link to the real one.
    unlinkSync(join(dir, m.file));
    writeFileSync(join(dir, m.file), source.slice(0, at) + m.to + source.slice(at + m.from.length));
    const tests = m.tests.filter((t) => existsSync(join(dir, t)));
    if (tests.length === 0) return { outcome: 'does not apply', ms: 0, detail: `none of its tests exist: ${m.tests.join(', ')}` };
    const { passed, summary } = vitest(dir, tests);
    return { outcome: passed ? 'MISSED' : 'caught', ms: Date.now() - started, detail: summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): number {
  const words = process.argv.slice(2);
  const chosen = words.length ? MUTATIONS.filter((m) => words.some((w) => m.name.includes(w))) : MUTATIONS;
  console.log(`mutate: ${chosen.length} mutations, each in its own copy, running only the tests that guard it\n`);
  // Unmutated first: a guarding test that fails anyway would make every mutation look caught.
  const guards = [...new Set(chosen.flatMap((m) => m.tests))].filter((t) => existsSync(join(ROOT, t)));
  const baselineDir = copyOfRepo();
  try {
    const baseline = vitest(baselineDir, guards);
    console.log(`  ${'(unmutated)'.padEnd(28)} ${baseline.passed ? 'green' : 'RED'}              ${baseline.summary}`);
    if (!baseline.passed) {
      console.log('\nThe guarding tests fail without any mutation: fix them first.');
      return 1;
    }
  } finally {
    rmSync(baselineDir, { recursive: true, force: true });
  }
  const results: { m: Mutation; outcome: Outcome }[] = [];
  for (const m of chosen) {
    process.stdout.write(`  ${m.name.padEnd(28)} `);
    const { outcome, ms, detail } = tryMutation(m);
    console.log(`${outcome.padEnd(15)} ${(ms / 1000).toFixed(0).padStart(4)} s   ${detail}`);
    if (outcome !== 'caught') console.log(`      ${m.why} (${m.file})`);
    results.push({ m, outcome });
  }
  const caught = results.filter((r) => r.outcome === 'caught').length;
  const missed = results.filter((r) => r.outcome === 'MISSED').map((r) => r.m.name);
  const stale = results.filter((r) => r.outcome === 'does not apply').map((r) => r.m.name);
  console.log(`\n${caught}/${results.length} caught${missed.length ? `; missed: ${missed.join(', ')}` : ''}${stale.length ? `; no longer apply: ${stale.join(', ')}` : ''}`);
  return missed.length || stale.length ? 1 : 0;
}

process.exitCode = main();
