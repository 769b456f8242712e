/**
 * `condition` nodes: how the resolved `inputs.test` is judged true or false. Without an
 * operator a value is true unless it is empty (`""`, `[]`, `{}`, null, missing), `false`,
 * `0` or NaN: a list of files that came back empty must take the "false" branch, which
 * JavaScript truthiness alone gets wrong for `[]` and `{}`.
 */
import { ConditionOperator } from '../../../contract';
import { permanent } from '../../errors';
import type { KindRun } from './types';

/** Empty: missing, null, a blank string, an empty list or an object without keys. */
export function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** True unless empty, `false`, `0` or NaN. */
export function isTruthy(v: unknown): boolean {
  if (v === false || v === 0 || (typeof v === 'number' && Number.isNaN(v))) return false;
  return !isEmptyValue(v);
}

/** A number from a number or numeric text (a template inside longer text yields text). */
function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  // 3 and "3" are the same to a person reading the inspector.
  if (na !== undefined && nb !== undefined && (typeof a === 'number' || typeof b === 'number')) return na === nb;
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const brief = (v: unknown) => {
  const t = v === undefined ? 'nothing' : JSON.stringify(v);
  return t.length > 60 ? `${t.slice(0, 60)}…` : t;
};

function order(test: unknown, value: unknown, op: 'greaterThan' | 'lessThan', nodeId: string): number {
  const a = asNumber(test);
  const b = asNumber(value);
  if (a !== undefined && b !== undefined) return a - b;
  // Text against text (ISO dates, versions with equal widths) compares as text.
  if (typeof test === 'string' && typeof value === 'string') return test < value ? -1 : test > value ? 1 : 0;
  const words = op === 'greaterThan' ? 'greater than' : 'less than';
  throw permanent('BAD_INPUT', `condition "${nodeId}": "${words}" compares numbers or text, got ${brief(test)} and ${brief(value)}`);
}

/** Judges a condition node's resolved inputs `{ test, operator?, value? }`. */
export function judgeCondition(inputs: Record<string, unknown>, nodeId = 'condition'): boolean {
  const { test, value } = inputs;
  const parsed = ConditionOperator.safeParse(inputs.operator ?? 'truthy');
  if (!parsed.success) {
    throw permanent('BAD_INPUT', `condition "${nodeId}": unknown operator ${brief(inputs.operator)}; use one of ${ConditionOperator.options.join(', ')}`);
  }
  switch (parsed.data) {
    case 'truthy':
      return isTruthy(test);
    case 'isEmpty':
      return isEmptyValue(test);
    case 'isNotEmpty':
      return !isEmptyValue(test);
    case 'equals':
      return sameValue(test, value);
    case 'notEquals':
      return !sameValue(test, value);
    case 'contains':
      if (typeof test === 'string') return test.includes(typeof value === 'string' ? value : JSON.stringify(value));
      if (Array.isArray(test)) return test.some((x) => sameValue(x, value));
      if (test && typeof test === 'object') return typeof value === 'string' && Object.hasOwn(test, value);
      return false;
    case 'greaterThan':
      return order(test, value, 'greaterThan', nodeId) > 0;
    case 'lessThan':
      return order(test, value, 'lessThan', nodeId) < 0;
  }
}

/** A condition node: the value judged and the verdict; the scheduler follows the branch it names. */
export const runCondition: KindRun = async ({ node, input }) => ({ output: { value: input.test, result: judgeCondition(input, node.id) }, truncated: false });
