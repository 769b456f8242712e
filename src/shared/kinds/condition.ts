import { ConditionOperator } from '../../contract';
import { hasTemplate } from '../templates';
import { inputProblem, requireInput, type NodeKindInfo } from './types';

/**
 * Branches: `inputs.test` compared by `inputs.operator` with `inputs.value` (or judged by
 * truthiness); its out-edges carry `branch` and only the taken branch runs.
 */
export const conditionKind: NodeKindInfo = {
  kind: 'condition',
  title: 'Condition',
  description: 'Branch on a test (true / false)',
  icon: '◇',
  tool: { uses: 'none' },
  flowPalette: true,
  form: 'condition',
  branches: true,
  plannerHint: '"condition" (inputs.test judged truthy; its out-edges carry branch "true" or "false")',
  check(node, at) {
    const problems = requireInput(node, at, 'test', 'a condition needs inputs.test (the value judged true or false)');
    const op = node.inputs.operator;
    if (op !== undefined && !hasTemplate(op) && !ConditionOperator.safeParse(op).success) {
      problems.push(inputProblem(node, at, 'operator', `unknown condition operator ${JSON.stringify(op)}; use one of ${ConditionOperator.options.join(', ')}`));
    }
    return problems;
  },
  outputSchema: () => ({ type: 'object', properties: { value: {}, result: { type: 'boolean' } } }),
};
