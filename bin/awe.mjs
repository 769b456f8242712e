#!/usr/bin/env node
// The `awe` launcher. It runs the compiled command (dist/cli/awe.js, see scripts/build-cli.mjs):
// - in this process when this Node is new enough (one process, no TypeScript compiled at start);
// - else under the project's pinned Node (node_modules/.bin/node), passing on SIGINT, SIGTERM and
//   SIGHUP and exiting as the child did. The child runs in its own process group, so a Ctrl-C in
//   the terminal reaches it once (through us), not twice; it holds one end of a pipe to us and
//   stops when that closes, so a SIGKILLed launcher leaves no `awe serve` behind.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'awe.js');
const MIN_NODE = [22, 12];

/** A source checkout (re)builds dist/cli when it is missing or older than a source it came from. */
async function ensureBuilt() {
  const builder = join(root, 'scripts', 'build-cli.mjs');
  if (!existsSync(builder)) {
    if (existsSync(entry)) return;
    process.stderr.write(`awe: ${entry} is missing; reinstall the package\n`);
    process.exit(1);
  }
  const { buildCli, cliIsCurrent } = await import(pathToFileURL(builder).href);
  if (!cliIsCurrent()) await buildCli({ quiet: true });
}

const newEnough = (version) => {
  const [major, minor] = version.split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
};

function pinnedNode() {
  for (const candidate of [join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node'), join(root, 'node_modules', 'node', 'bin', 'node')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Runs this launcher again under another Node and becomes a relay: signals in, exit status out. */
function runUnder(node) {
  const { AWE_USE_PINNED_NODE: _, ...env } = process.env;
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    // fd 3: a pipe the child watches (stopWithLauncher): it closes when we are gone, however we went.
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...env, AWE_LAUNCHER_FD: '3' },
    cwd: process.cwd(),
    detached: true,
  });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  child.on('error', (err) => {
    process.stderr.write(`awe: cannot start ${node}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      // Ended by a signal: end the same way, so a shell sees what the child saw.
      for (const s of signals) process.off(s, forward);
      process.kill(process.pid, signal);
      setTimeout(() => process.exit(1), 1000).unref();
      return;
    }
    process.exit(code ?? 1);
  });
}

/**
 * In the child of a relaying launcher: stop as on SIGTERM (`awe serve` closes cleanly) when the
 * launcher's end of the pipe closes, which a SIGKILLed launcher cannot prevent.
 */
function stopWithLauncher() {
  const fd = Number(process.env.AWE_LAUNCHER_FD);
  delete process.env.AWE_LAUNCHER_FD; // Not for the tools and MCP servers we start.
  if (!Number.isInteger(fd) || fd < 3) return;
  const link = new Socket({ fd, readable: true, writable: false });
  link.on('error', () => {});
  link.once('close', () => {
    process.kill(process.pid, 'SIGTERM');
    // A command that does not handle SIGTERM has ended by now; one that does gets 10 s to finish.
    setTimeout(() => process.exit(1), 10_000).unref();
  });
  link.resume();
  // The link never keeps a finished command alive.
  link.unref();
}

if (newEnough(process.versions.node) && process.env.AWE_USE_PINNED_NODE !== '1') {
  stopWithLauncher();
  await ensureBuilt();
  // Parsed code is cached on disk between starts (Node's compile cache, under the temp folder).
  nodeModule.enableCompileCache?.();
  await import(pathToFileURL(entry).href);
} else {
  const node = pinnedNode();
  if (!node) {
    process.stderr.write(`awe: needs Node ${MIN_NODE.join('.')} or newer (this is ${process.versions.node}); run "npm install" to fetch the pinned one\n`);
    process.exit(1);
  }
  runUnder(node);
}
