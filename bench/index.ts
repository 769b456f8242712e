/**
 * `npm run bench`: every benchmark, figures and ratios printed (never asserted in tests).
 * Modules other areas add (`bench/ws-events.ts`, UI benches) run when present.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchEngine } from './engine';
import { benchValidate } from './validate';

/** Optional bench modules and the function each exports. */
const OPTIONAL: [file: string, fn: string][] = [
  ['ws-events.ts', 'benchWsEvents'],
  ['ui.ts', 'benchUi'],
  ['queue.ts', 'benchQueue'],
  ['cli.ts', 'benchCli'],
  ['observe.ts', 'benchObserve'],
  ['layout.ts', 'benchLayout'],
  ['import.ts', 'benchImport'],
];

async function main(): Promise<void> {
  await benchEngine();
  await benchValidate();
  for (const [file, fn] of OPTIONAL) {
    const path = join(import.meta.dirname, file);
    if (!existsSync(path)) continue;
    const mod = (await import(path)) as Record<string, unknown>;
    const run = mod[fn];
    if (typeof run === 'function') await (run as () => Promise<unknown>)();
    else console.log(`\n(${file} has no ${fn}() to run)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
