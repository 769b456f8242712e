import type { NodeKindInfo } from './types';

/** Collects its resolved inputs as the run's named output. */
export const outputKind: NodeKindInfo = {
  kind: 'output',
  title: 'Output',
  description: 'Collect the run’s named output',
  icon: '⇤',
  tool: { uses: 'none' },
  flowPalette: true,
  form: 'output',
  plannerHint: '"output"',
  // Its output is whatever its inputs resolve to: no shape known in advance.
  outputSchema: () => undefined,
};
