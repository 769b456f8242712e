import type { NodeKindInfo } from './types';

/** One model call (`llm.generate`), with an optional JSON-schema output. */
export const llmKind: NodeKindInfo = {
  kind: 'llm',
  title: 'Model call',
  description: 'One model call, optionally answering in a JSON schema',
  icon: '✦',
  tool: { uses: 'default', name: 'llm.generate' },
  form: 'tool-inputs',
  usesModel: true,
  plannerHint: '"llm" (llm.generate: inputs prompt, system?, schema?)',
};
