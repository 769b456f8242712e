/**
 * `human.approve`: a checkpoint where the run waits for a person. Approval lets the
 * downstream nodes run; a rejection fails the node for good (retrying would only ask again).
 */
import { z } from 'zod';
import { permanent } from '../../errors';
import type { ToolSpec } from '../types';

export const HumanApproveInput = z.object({
  message: z.string().min(1).describe('The question shown to the person, e.g. "Send this email?".'),
  details: z.unknown().optional().describe('Data shown with the question (a draft, a diff, a table).'),
});
export type HumanApproveInput = z.infer<typeof HumanApproveInput>;

export const HumanApproveOutput = z.object({ approved: z.literal(true), comment: z.string().optional() });
export type HumanApproveOutput = z.infer<typeof HumanApproveOutput>;

export const humanApproveTool: ToolSpec<HumanApproveInput, HumanApproveOutput> = {
  name: 'human.approve',
  title: 'Ask for approval',
  description: 'Pause the run until a person approves or rejects; rejection fails this node with their comment.',
  version: '1',
  input: HumanApproveInput,
  output: HumanApproveOutput,
  // Asking changes nothing in the world; the policy gate must not ask before asking.
  effects: 'pure',
  // Stays in the control plane in queue mode: asks a person through the control plane.
  placement: 'local',
  source: 'builtin',
  // People take their time: the node's usual 60 s deadline would cut them off.
  timeoutMs: 7 * 24 * 60 * 60 * 1000,
  async run(input, ctx) {
    const answer = await ctx.requestApproval(input.message, { tool: 'human.approve', input: input.details });
    if (!answer.approved) {
      throw permanent('REJECTED', `rejected: ${input.message}${answer.comment ? ` (comment: ${answer.comment})` : ''}`);
    }
    return answer.comment ? { approved: true, comment: answer.comment } : { approved: true };
  },
};
