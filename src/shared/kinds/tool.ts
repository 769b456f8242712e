import type { NodeKindInfo } from './types';

/** Calls one registered tool, named in `tool`, with its inputs. */
export const toolKind: NodeKindInfo = {
  kind: 'tool',
  title: 'Tool',
  description: 'Calls one tool with its inputs',
  icon: '⚙',
  tool: { uses: 'named' },
  form: 'tool-inputs',
  plannerHint: '"tool" (calls "tool")',
};
