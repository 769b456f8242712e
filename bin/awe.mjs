#!/usr/bin/env node
// The `awe` launcher: runs src/cli/index.ts through tsx on the project's pinned Node 22
// (node_modules/.bin/node) when it is installed, so it works where the system Node is older.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
const node = existsSync(pinned) ? pinned : process.execPath;
// Resolved from here, not from the caller's folder, so `awe` works from anywhere.
const tsx = import.meta.resolve('tsx');
const child = spawn(node, ['--import', tsx, join(root, 'src', 'cli', 'index.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
});
// Ctrl-C reaches the child through the terminal's process group; the launcher only waits.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
