/**
 * TEST SUPPORT ONLY — the real engine over a fresh temp data folder, for the server
 * integration tests.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../engine/engine';
import type { Engine } from '../engine/types';

export function makeTestEngine(): Engine {
  return createEngine({ dataDir: mkdtempSync(join(tmpdir(), 'awe-server-')), interactive: true });
}
