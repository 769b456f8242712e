#!/usr/bin/env node
/**
 * `npm start`: build and launch the desktop app. Where Electron cannot run (no binary
 * and no way to download one, or no display), say why and serve the same UI in a
 * browser with `awe serve` on 127.0.0.1 instead. Extra arguments (--port, --host,
 * --token, --data-dir) go to the server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');
const args = process.argv.slice(2);

/** Path of the Electron executable, or undefined when it is not installed. */
function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  return result.status === 0;
}

function whyElectronCannotRun() {
  if (!existsSync(electronDir)) return 'the electron package is not installed in node_modules';
  let binary = electronBinary();
  if (!binary && existsSync(join(electronDir, 'install.js'))) {
    console.log('The Electron binary is missing; trying to download it (node_modules/electron/install.js)…');
    const download = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: root, encoding: 'utf8', timeout: 180_000 });
    binary = electronBinary();
    if (!binary) {
      const first = `${download.stderr ?? ''}${download.stdout ?? ''}`.split('\n').find((l) => l.trim()) ?? (download.error?.message || 'no output');
      console.log(`The download failed: ${first.trim()}`);
    }
  }
  if (!binary) {
    return 'the Electron binary is not installed and could not be downloaded (no network access to the Electron release mirror?); ' +
      'with network access, run `node node_modules/electron/install.js` once';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  }
  return undefined;
}

function startElectron() {
  console.log('Building the app with electron-vite…');
  if (!run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'])) {
    console.error('The electron-vite build failed (see above).');
    process.exit(1);
  }
  const child = spawn(electronBinary(), [root], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

async function startServerFallback(reason) {
  console.log(
    `\nAWE cannot open its desktop window here because ${reason}. ` +
      'Instead it will serve the same interface to your browser with `awe serve` on 127.0.0.1 ' +
      '(loopback only; nothing is reachable from other machines). Open the URL it prints: it carries the access token ' +
      '(http://127.0.0.1:PORT/?token=…). To use the desktop app, run `npm start` on a machine ' +
      'with a display where the Electron binary can be downloaded.\n',
  );
  console.log('Building the browser UI (npm run build:web)…');
  if (!run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:web'])) {
    console.error('The browser UI failed to build (see above); the API still works without it.');
  }
  const { buildCli, cliIsCurrent } = await import('./build-cli.mjs');
  if (!cliIsCurrent()) {
    console.log('Building the awe command (scripts/build-cli.mjs)…');
    try {
      await buildCli();
    } catch (err) {
      console.error(`The awe command failed to build: ${err.message}`);
      process.exit(1);
    }
  }
  // The `awe` command as installed (package.json "bin"), under the pinned Node when this one is too old.
  const child = spawn(process.execPath, [join(root, 'bin', 'awe.mjs'), 'serve', ...args], { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

const reason = process.env.AWE_NO_ELECTRON ? 'AWE_NO_ELECTRON is set' : whyElectronCannotRun();
if (reason) await startServerFallback(reason);
else startElectron();
