/**
 * `test.crashWorker`: a tool that SIGKILLs the worker running it while its marker file exists
 * (a tool that takes its worker down), and succeeds once the file is gone (the tool fixed).
 * Registered on both sides: the control plane (extraTools) and queue-crash-worker.fixture.ts.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { ToolSpec } from '../engine';

export const crashWorkerTool: ToolSpec<{ marker: string }, { survived: boolean }> = {
  name: 'test.crashWorker',
  title: 'Crash the worker',
  description: 'Test only: kills the process running it while the marker file exists.',
  version: '1',
  input: z.object({ marker: z.string() }),
  output: z.object({ survived: z.boolean() }),
  effects: 'pure',
  source: 'builtin',
  placement: 'remote',
  async run({ marker }) {
    if (existsSync(marker)) process.kill(process.pid, 'SIGKILL');
    return { survived: true };
  },
};
