import type { NodeKindInfo } from './types';

/** A model with tool calling over an allowed set of tools, bounded steps (`agent.run`). */
export const agentKind: NodeKindInfo = {
  kind: 'agent',
  title: 'Agent',
  description: 'A model that calls the tools it is allowed, step by step',
  icon: '◎',
  tool: { uses: 'default', name: 'agent.run' },
  form: 'tool-inputs',
  usesModel: true,
  plannerHint: '"agent" (agent.run: inputs goal, tools[])',
};
