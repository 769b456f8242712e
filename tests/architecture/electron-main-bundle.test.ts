/**
 * The desktop app's main process as electron-vite builds it (out/main), checked where the
 * Electron binary cannot run: every import of every file in it resolves under Node's ESM rules
 * (Electron's main process loads it with them: `ajv/dist/2020` without `.js` would stop the
 * app before its window opens, while tsx, vitest and the CLI's bundle all accept it), and the
 * engine's worker threads sit where their callers look for them and answer (else validation and run-bundle
 * import hold the main process's loop).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { init, parse } from 'es-module-lexer';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const outMain = join(root, 'out', 'main');
/** Provided by Electron itself at run time. */
const ELECTRON_BUILTINS = new Set(['electron']);

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

/** Posts `workerData` to out/main/<file> on a worker thread and returns its first message. */
function answerOf(file: string, workerData: unknown): Promise<unknown> {
  return new Promise((done, fail) => {
    const worker = new Worker(pathToFileURL(join(outMain, file)), { workerData });
    worker.once('message', (m) => {
      void worker.terminate();
      done(m);
    });
    worker.once('error', fail);
  });
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stdout}\n${build.stderr}`);
  await init;
}, 180_000);

describe('the desktop main bundle (out/main)', () => {
  it("resolves every import the way Electron's main process will", () => {
    const imports: [specifier: string, parent: string][] = [];
    for (const file of jsFiles(outMain)) {
      for (const { n: specifier } of parse(readFileSync(file, 'utf8'))[0]) {
        if (specifier && !ELECTRON_BUILTINS.has(specifier)) imports.push([specifier, pathToFileURL(file).href]);
      }
    }
    expect(imports.length).toBeGreaterThan(10);
    // Node's own ESM resolver, in a plain Node process (vitest resolves imports its own way).
    const check = spawnSync(
      process.execPath,
      [
        '--experimental-import-meta-resolve',
        '--input-type=module',
        '-e',
        // import.meta.resolve does not look at the disk for a package's subpath: the loader then
        // wants a file there (a directory or a missing extension is ERR_MODULE_NOT_FOUND).
        `import { statSync } from 'node:fs';
         import { fileURLToPath } from 'node:url';
         const unresolved = [];
         for (const [specifier, parent] of JSON.parse(process.argv[1])) {
           let problem;
           try {
             const url = import.meta.resolve(specifier, parent);
             if (url.startsWith('file:') && !statSync(fileURLToPath(url), { throwIfNoEntry: false })?.isFile()) problem = 'no file ' + fileURLToPath(url);
           } catch (err) {
             problem = err.code;
           }
           if (problem) unresolved.push(parent.split('/out/main/')[1] + ': "' + specifier + '" (' + problem + ')');
         }
         console.log(JSON.stringify(unresolved));`,
        JSON.stringify(imports),
      ],
      { encoding: 'utf8' },
    );
    expect(check.stderr.replace(/.*ExperimentalWarning.*\n?|.*node --trace-warnings.*\n?/g, '')).toBe('');
    expect(JSON.parse(check.stdout)).toEqual([]);
  });

  it('finds each worker where its caller looks for it (next to the calling module)', () => {
    const calls = jsFiles(outMain).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/startWorker\(import\.meta\.url, "([^"]+)"/g)].map((m) => ({ file, worker: `${m[1]}.js` })),
    );
    expect(calls.map((c) => c.worker).sort()).toEqual(['./bundle-import.worker.js', './validate.worker.js']);
    for (const { file, worker } of calls) expect(existsSync(join(dirname(file), worker)), `${worker} beside ${file}`).toBe(true);
  });

  it('has the validation and run-import workers beside index.js, and they answer', async () => {
    const doc = { id: 'x', name: 'x', nodes: [{ id: 'a', kind: 'tool', tool: 'no.such', inputs: {} }], edges: [] };
    expect(JSON.stringify(await answerOf('validate.worker.js', { doc, catalog: [] }))).toContain('no.such');
    expect(await answerOf('bundle-import.worker.js', { zip: new Uint8Array([1, 2, 3]), limits: {}, dataDir: join(root, '.tmp', 'unused') })).toMatchObject({
      type: 'failed',
      message: expect.stringMatching(/not a run bundle/),
    });
  });
});
