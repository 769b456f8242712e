/**
 * The LLM judge of the critic: decides whether a node's output meets plain-language
 * acceptance criteria, with reasons the engine records and feeds back for rework.
 */
import { permanent } from '../../errors';
import type { LlmChatClient } from '../types';
import { checkJsonSchema, parseJsonReply } from './json';

const VERDICT_SCHEMA = {
  type: 'object',
  properties: {
    pass: { type: 'boolean', description: 'true only when every criterion is met' },
    reasons: { type: 'array', items: { type: 'string' }, description: 'one short reason per criterion, saying what is missing when it fails' },
  },
  required: ['pass', 'reasons'],
  additionalProperties: false,
};

/** Outputs longer than this are cut before judging (the judge sees the beginning). */
const MAX_OUTPUT_CHARS = 30_000;

export interface Verdict {
  pass: boolean;
  reasons: string[];
  /** Tokens and cost the judgement used. */
  usage?: { promptTokens: number; completionTokens: number; costUsd: number };
}

export async function llmJudge(criteria: string[], output: unknown, llm: LlmChatClient, signal: AbortSignal): Promise<Verdict> {
  if (criteria.length === 0) return { pass: true, reasons: [] };
  let shown = typeof output === 'string' ? output : JSON.stringify(output, null, 2) ?? 'undefined';
  if (shown.length > MAX_OUTPUT_CHARS) shown = `${shown.slice(0, MAX_OUTPUT_CHARS)}\n… [cut at ${MAX_OUTPUT_CHARS} characters]`;

  const res = await llm.chat(
    {
      messages: [
        {
          role: 'system',
          content:
            'You review the output of one step of a workflow against acceptance criteria. Be strict and concrete. Reply with JSON {"pass": boolean, "reasons": string[]}.',
        },
        {
          role: 'user',
          content: `Criteria:\n${criteria.map((c, i) => `${i + 1}. ${c}`).join('\n')}\n\nOutput to review:\n${shown}`,
        },
      ],
      temperature: 0,
      jsonSchema: { name: 'verdict', schema: VERDICT_SCHEMA },
    },
    signal,
  );

  let verdict: unknown;
  try {
    verdict = parseJsonReply(res.content);
  } catch (e) {
    throw permanent('JUDGE_INVALID_JSON', `the judge's reply is not valid JSON (${(e as Error).message}): ${(res.content ?? '').slice(0, 200)}`);
  }
  const check = checkJsonSchema(VERDICT_SCHEMA, verdict);
  if (!check.ok) throw permanent('JUDGE_BAD_VERDICT', `the judge's verdict has the wrong shape: ${check.problems.join('; ')}`);
  const { pass, reasons } = verdict as { pass: boolean; reasons: string[] };
  return { pass, reasons, usage: res.usage };
}
