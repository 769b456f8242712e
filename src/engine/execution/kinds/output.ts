import type { KindRun } from './types';

/** An output node: its resolved inputs are the run's named output. */
export const collectOutput: KindRun = async ({ input }) => ({ output: input, truncated: false });
