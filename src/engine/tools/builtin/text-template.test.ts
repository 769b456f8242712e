import { describe, expect, it } from 'vitest';
import { resolveBindings } from '../../workflow/templates';
import { invokeTool } from '../invoke';
import { testToolContext } from '../tool-context.testkit';
import { textTemplateTool } from './text-template';

describe('text.template', () => {
  it('returns the text the engine resolved from the template', async () => {
    const input = resolveBindings({ template: 'Hello {{input.name}}, you have {{nodes.count.output.n}} items' }, {
      nodes: { count: { output: { n: 3 } } },
      input: { name: 'Ada' },
    });
    const { output } = await invokeTool(textTemplateTool, input, testToolContext());
    expect(output).toEqual({ text: 'Hello Ada, you have 3 items' });
  });

  it('rejects a template that is not text', async () => {
    await expect(invokeTool(textTemplateTool, { template: 42 }, testToolContext())).rejects.toThrow('input.template: should be a text, not a number');
  });
});
