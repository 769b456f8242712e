#!/usr/bin/env node
// Runs the end-to-end tests (Playwright in Chromium against `awe serve`) when a Chromium is
// found, and says loudly when none is. The Electron smoke test runs where an Electron binary exists.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.AWE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
const chromium = candidates.find((p) => existsSync(p));

if (!chromium) {
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\n!! END-TO-END TESTS SKIPPED: no Chromium found (looked in ${candidates.join(', ')}).`);
  console.log('!! Install one (Debian: apt-get install -y chromium) or set AWE_CHROMIUM=/path/to/chrome.');
  console.log(`${bar}\n`);
  process.exit(0);
}

console.log(`== end-to-end tests in ${chromium}`);
// The project pins Node 22 in node_modules (better-sqlite3 is built for it); a bare
// `node scripts/e2e.mjs` may start on an older system node.
const pinnedNode = 'node_modules/node/bin/node';
const r = spawnSync(existsSync(pinnedNode) ? pinnedNode : process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.e2e.config.mts'], {
  stdio: 'inherit',
  env: { ...process.env, AWE_CHROMIUM: chromium },
});
process.exit(r.status ?? 1);
