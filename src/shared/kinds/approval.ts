import type { NodeKindInfo } from './types';

/** Human in the loop (`human.approve`): the run waits until a person approves or rejects. */
export const approvalKind: NodeKindInfo = {
  kind: 'approval',
  title: 'Approval',
  description: 'Waits until a person approves or rejects',
  icon: '⚑',
  tool: { uses: 'default', name: 'human.approve' },
  form: 'tool-inputs',
  plannerHint: '"approval" (human.approve: inputs.message)',
};
