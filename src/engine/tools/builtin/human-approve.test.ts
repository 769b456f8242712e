import { describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import type { ToolContext, ToolSpec } from '../types';
import { humanApproveTool } from './human-approve';

/** A person who always gives `answer`; records what they were asked. */
function context(answer: { approved: boolean; comment?: string }) {
  const asked: { message: string; details?: unknown }[] = [];
  const ctx: ToolContext = {
    signal: new AbortController().signal,
    log: () => {},
    idempotencyKey: 'run1:node1:1',
    runId: 'run1',
    nodeId: 'node1',
    workspaceDir: '/nonexistent',
    artifacts: { save: () => Promise.reject(new Error('no artifacts in this test')) },
    reportUsage: () => {},
    requestApproval: async (message, details) => {
      asked.push({ message, details });
      return answer;
    },
    callTool: () => Promise.reject(new Error('no tools')),
  };
  return { ctx, asked };
}
const call = async (tool: ToolSpec, raw: unknown, ctx: ToolContext) => tool.output.parse(await tool.run(tool.input.parse(raw), ctx));

describe('human.approve', () => {
  it('passes the question and details to the person and returns their comment', async () => {
    const { ctx, asked } = context({ approved: true, comment: 'looks good' });
    expect(await call(humanApproveTool, { message: 'Publish the report?', details: { words: 900 } }, ctx)).toEqual({ approved: true, comment: 'looks good' });
    expect(asked).toEqual([{ message: 'Publish the report?', details: { tool: 'human.approve', input: { words: 900 } } }]);
  });

  it('fails permanently on rejection, carrying the comment', async () => {
    const { ctx } = context({ approved: false, comment: 'numbers are wrong' });
    const err = await call(humanApproveTool, { message: 'Publish?' }, ctx).catch((e: unknown) => e as ToolError);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ class: 'permanent', code: 'REJECTED' });
    expect((err as ToolError).message).toContain('numbers are wrong');
  });
});
