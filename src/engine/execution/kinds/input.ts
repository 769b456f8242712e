import { permanent } from '../../errors';
import type { KindRun } from './types';

/** An input node: the run input it names, else its default. */
export const readRunInput: KindRun = async ({ node, input, runInputs }) => {
  const name = typeof input.name === 'string' ? input.name : node.id;
  const value = runInputs[name] ?? input.default;
  if (value === undefined) throw permanent('MISSING_INPUT', `input node "${node.id}": run input "${name}" was not given and the node has no default`);
  return { output: value, truncated: false };
};
