#!/usr/bin/env node
/**
 * Builds the `awe` command (and the `awe serve` server it contains) to JavaScript:
 *   dist/cli/awe.js               the command (ES module, sourcemap beside it)
 *   dist/cli/validate.worker.js   the validation worker, found beside the bundle at run time
 *   dist/cli/bundle-import.worker.js  the worker that opens an imported run bundle, likewise
 *   dist/cli/chunk-*.js           code loaded only by the command that needs it (serve, run…)
 *   dist/cli/inputs.json          the source files it was built from (bin/awe.mjs rebuilds when one is newer)
 * Chunks sit beside awe.js on purpose: the code finds resources/ and out/renderer by walking
 * up from its own folder, the same answer from src/cli and from dist/cli.
 *
 * Plain JavaScript so that `npm install` (the `prepare` script) and bin/awe.mjs can run it
 * on any Node without a TypeScript loader. `node scripts/build-cli.mjs` builds once.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_DIR = join(ROOT, 'dist', 'cli');
export const CLI_ENTRY = join(CLI_DIR, 'awe.js');
export const CLI_INPUTS = join(CLI_DIR, 'inputs.json');

/**
 * Not bundled: native addons (compiled for one Node ABI, loaded from node_modules), optional
 * accelerators a dependency tries and tolerates missing, and what only the desktop app has.
 */
const EXTERNAL = ['better-sqlite3', 'electron', 'bufferutil', 'utf-8-validate', 'cpu-features', 'ssh2', 'msgpackr-extract'];

/**
 * True when dist/cli was built after every file it came from last changed. A build shipped
 * without its sources (nothing to compare with) counts as current.
 */
export function cliIsCurrent() {
  if (!existsSync(CLI_ENTRY)) return false;
  let built;
  try {
    built = JSON.parse(readFileSync(CLI_INPUTS, 'utf8'));
  } catch {
    return true;
  }
  return built.inputs.every((file) => {
    const mtime = statSync(join(ROOT, file), { throwIfNoEntry: false })?.mtimeMs;
    return mtime !== undefined && mtime <= built.builtAt;
  });
}

/**
 * Builds into a fresh folder, then moves each file into dist/cli (entries last): a command
 * already running from dist/cli keeps finding its chunks (hashed names, never removed here),
 * and two builds racing leave one complete result.
 */
export async function buildCli({ quiet = false } = {}) {
  const { build } = await import('esbuild');
  const started = Date.now();
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const staging = mkdtempSync(join(ROOT, 'dist', '.cli-'));
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: { awe: 'src/cli/index.ts', 'validate.worker': 'src/engine/workflow/validate.worker.ts', 'bundle-import.worker': 'src/engine/runs/bundle-import.worker.ts' },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outdir: staging,
      sourcemap: true,
      // Stack traces name src/… lines without a flag, via the sourcemaps.
      banner: {
        js: [
          "import { createRequire as __aweCreateRequire } from 'node:module';",
          "import { fileURLToPath as __aweFileURLToPath } from 'node:url';",
          "import { dirname as __aweDirname } from 'node:path';",
          // CommonJS dependencies call require() and read __dirname: give the ES module both.
          'const require = __aweCreateRequire(import.meta.url);',
          'const __filename = __aweFileURLToPath(import.meta.url);',
          'const __dirname = __aweDirname(__filename);',
        ].join('\n'),
      },
      external: EXTERNAL,
      metafile: true,
      logLevel: quiet ? 'error' : 'warning',
      legalComments: 'none',
      minifyWhitespace: true,
      minifySyntax: true,
    });
    // The dependencies count through the lock file: an install that changes them makes the build stale.
    const inputs = [...Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/')), 'package-lock.json'].sort();
    writeFileSync(join(staging, 'inputs.json'), JSON.stringify({ builtAt: started, inputs }, null, 0));
    mkdirSync(CLI_DIR, { recursive: true });
    const files = readdirSync(staging);
    const entries = new Set(['awe.js', 'awe.js.map', 'validate.worker.js', 'validate.worker.js.map', 'bundle-import.worker.js', 'bundle-import.worker.js.map', 'inputs.json']);
    for (const file of [...files.filter((f) => !entries.has(f)), ...files.filter((f) => entries.has(f))]) {
      renameSync(join(staging, file), join(CLI_DIR, file));
    }
    if (!quiet) process.stderr.write(`built ${relative(ROOT, CLI_ENTRY)} from ${inputs.length} sources in ${Date.now() - started} ms\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // A clean build: chunks of earlier builds are dropped.
  if (process.argv.includes('--clean')) rmSync(CLI_DIR, { recursive: true, force: true });
  await buildCli().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
}
