/**
 * `text.template`: text built from upstream outputs and run inputs. The engine resolves
 * `{{…}}` references in every node's inputs before the tool runs, so by the time this
 * tool sees `template` it is the finished text; the tool exists so a workflow can name
 * that text as a node with its own output.
 */
import { z } from 'zod';
import type { ToolSpec } from '../types';

export const TextTemplateInput = z.object({
  template: z.string().describe('Text with {{nodes.<id>.output…}} / {{input.<name>}} references, resolved by the engine.'),
});
export type TextTemplateInput = z.infer<typeof TextTemplateInput>;

export const TextTemplateOutput = z.object({ text: z.string() });
export type TextTemplateOutput = z.infer<typeof TextTemplateOutput>;

export const textTemplateTool: ToolSpec<TextTemplateInput, TextTemplateOutput> = {
  name: 'text.template',
  title: 'Text template',
  description: 'Builds text from a template whose {{…}} references point at upstream outputs and run inputs.',
  version: '1',
  input: TextTemplateInput,
  output: TextTemplateOutput,
  effects: 'pure',
  // Stays in the control plane in queue mode: instant: a queue round trip would cost more than the call.
  placement: 'local',
  source: 'builtin',
  async run(input) {
    return { text: input.template };
  },
};
