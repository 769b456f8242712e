import { inputProblem, requireInput, type NodeKindInfo } from './types';

/** A run input: `inputs.name` names it, `inputs.default` is used when the run is not given it. */
export const inputKind: NodeKindInfo = {
  kind: 'input',
  title: 'Input',
  description: 'A named run input',
  icon: '⇥',
  tool: { uses: 'none' },
  flowPalette: true,
  form: 'input',
  plannerHint: '"input"',
  declaresInput: (node) => (typeof node.inputs.name === 'string' && node.inputs.name ? node.inputs.name : undefined),
  check(node, at) {
    const problems = requireInput(node, at, 'name', 'an input node needs inputs.name (the run input it reads)');
    const name = node.inputs.name;
    if (name !== undefined && (typeof name !== 'string' || !name)) problems.push(inputProblem(node, at, 'name', 'inputs.name must be a non-empty string'));
    return problems;
  },
  // A run input can be anything the person gives.
  outputSchema: () => undefined,
};
