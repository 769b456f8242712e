/**
 * `json.transform`: reshapes JSON with a JSONata expression (https://jsonata.org), a
 * well-kept query language, rather than a home-grown one. An expression that does not
 * compile is a permanent error with JSONata's message and the character position; the
 * input schema checks it too, so the validator flags a literal bad expression before a run.
 */
import jsonata from 'jsonata';
import { z } from 'zod';
import { permanent } from '../../errors';
import type { ToolSpec } from '../types';

/** Wall-clock budget for one evaluation: JSONata loops run as microtasks, so timers (and thus abort signals from timeouts) cannot interrupt them; JSONata's own guard can. @default 10000 */
export const JSON_TRANSFORM_TIMEOUT_MS = 10_000;

interface JsonataError {
  code?: string;
  position?: number;
  token?: string;
  message?: string;
}

function describeJsonataError(e: unknown): string {
  const err = (e ?? {}) as JsonataError;
  const message = err.message ?? String(e);
  const where = typeof err.position === 'number' ? ` at position ${err.position}` : '';
  const code = err.code ? ` (${err.code})` : '';
  return `${message}${where}${code}`;
}

function compile(expression: string): jsonata.Expression {
  try {
    return jsonata(expression, { timeout: JSON_TRANSFORM_TIMEOUT_MS });
  } catch (e) {
    throw permanent('JSONATA_SYNTAX', `invalid JSONata expression: ${describeJsonataError(e)}`);
  }
}

export const JsonTransformInput = z
  .object({
    data: z.unknown().describe('The JSON value the expression is evaluated against.'),
    expression: z.string().min(1).describe('A JSONata expression, e.g. `$uppercase(text)` or `items[price > 10].name`.'),
  })
  .superRefine((input, issues) => {
    try {
      jsonata(input.expression);
    } catch (e) {
      issues.addIssue({ code: 'custom', path: ['expression'], message: `invalid JSONata expression: ${describeJsonataError(e)}` });
    }
  });
export type JsonTransformInput = z.infer<typeof JsonTransformInput>;

export const JsonTransformOutput = z.object({
  /** `null` when the expression matches nothing. */
  result: z.unknown(),
});
export type JsonTransformOutput = z.infer<typeof JsonTransformOutput>;

export const jsonTransformTool: ToolSpec<JsonTransformInput, JsonTransformOutput> = {
  name: 'json.transform',
  title: 'Transform JSON',
  description: 'Evaluates a JSONata expression against JSON data and returns the result (null when nothing matches).',
  version: '1',
  input: JsonTransformInput,
  output: JsonTransformOutput,
  effects: 'pure',
  // Stays in the control plane in queue mode: instant: a queue round trip would cost more than the call.
  placement: 'local',
  source: 'builtin',
  async run(input, ctx) {
    const expr = compile(input.expression);
    // Checked on every evaluation step, so a cancel lands even inside a long evaluation.
    const checkAbort = () => {
      if (ctx.signal.aborted) {
        const err = new Error('json.transform was aborted');
        err.name = 'AbortError';
        throw err;
      }
    };
    checkAbort();
    expr.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, checkAbort);
    let result: unknown;
    try {
      result = await expr.evaluate(input.data ?? null);
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') throw e;
      const err = (e ?? {}) as JsonataError;
      const code = err.code === 'D1012' ? 'JSONATA_TIMEOUT' : 'JSONATA_EVAL';
      throw permanent(code, `JSONata evaluation failed: ${describeJsonataError(e)}`);
    }
    return { result: result === undefined ? null : toPlainJson(result) };
  },
};

/** JSONata sequences are arrays with extra flags; functions cannot be stored. */
function toPlainJson(value: unknown): unknown {
  const json = JSON.stringify(value);
  return json === undefined ? null : (JSON.parse(json) as unknown);
}
