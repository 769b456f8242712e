/**
 * Checks what the server sends against the protocol (src/contract/wire.ts) without paying
 * zod's price for every event of a live run. A large run streams thousands of events a
 * second, nearly all of a few small shapes (node.status, node.output, node.verdict,
 * node.log); zod, jitless under the page's CSP, took most of a frame to parse a batch of
 * them. Those shapes are checked here by hand, exactly: an event is taken as it is only
 * when it has the type's fields with the right types and no other field, so zod would
 * have returned the same value. Anything else (another type, an extra field, a default
 * to fill in, a malformed event) goes to zod, which decides and says what is wrong.
 */
import { EngineEvent, ServerMessage, type EngineEvent as EngineEventT } from '../../contract';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);

const NODE_STATUSES = new Set(['pending', 'queued', 'running', 'retrying', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled', 'stale', 'interrupted']);
const RUN_REASONS = new Set(['first', 'retry', 'rerun', 'resume', 'rework', 'cache']);
const ERROR_CLASSES = new Set(['transient', 'permanent', 'cancelled']);
const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/** Whether `o` has no own key outside `allowed` (zod would strip such a key: the value would differ). */
function onlyKeys(o: Obj, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}

const keys = (...k: string[]) => new Set(['runId', 'seq', 'ts', 'type', 'nodeId', ...k]);
const NODE_ERROR_KEYS = new Set(['class', 'code', 'message']);
const isNodeError = (v: unknown) => isObj(v) && onlyKeys(v, NODE_ERROR_KEYS) && ERROR_CLASSES.has(v.class as string) && optional(v.code, isStr) && isStr(v.message);

/** The hand-checked types: each one's own fields (besides runId, seq, ts, type, nodeId) and their check. */
const HOT = new Map<string, { keys: ReadonlySet<string>; check(e: Obj): boolean }>(Object.entries({
  'node.status': {
    keys: keys('status', 'generation', 'attempt', 'reason', 'input', 'error', 'detail'),
    check: (e: Obj) =>
      NODE_STATUSES.has(e.status as string) &&
      isInt(e.generation, 0) &&
      isInt(e.attempt, 0) &&
      optional(e.reason, (r) => RUN_REASONS.has(r as string)) &&
      optional(e.error, isNodeError) &&
      optional(e.detail, isStr),
  },
  'node.output': {
    // `cached` defaults to false: an event without it goes to zod, which fills it in.
    keys: keys('generation', 'output', 'cached', 'truncated'),
    check: (e: Obj) => isInt(e.generation, 0) && 'output' in e && typeof e.cached === 'boolean' && optional(e.truncated, (t) => typeof t === 'boolean'),
  },
  'node.verdict': {
    keys: keys('pass', 'reasons', 'rework', 'judge'),
    check: (e: Obj) => typeof e.pass === 'boolean' && Array.isArray(e.reasons) && e.reasons.every(isStr) && isInt(e.rework, 0) && (e.judge === 'rules' || e.judge === 'llm'),
  },
  'node.log': {
    keys: keys('level', 'message', 'data'),
    check: (e: Obj) => LOG_LEVELS.has(e.level as string) && isStr(e.message),
  },
}));

/** Each hand-checked type and the fields its check allows (a test holds them to the contract's schema). */
export function hotEventKeys(): Map<string, ReadonlySet<string>> {
  return new Map([...HOT].map(([type, hot]) => [type, hot.keys]));
}

/** `e` as zod's EngineEvent would return it, when it is one of the hot shapes; undefined when zod must decide. */
export function fastEvent(e: unknown): EngineEventT | undefined {
  if (!isObj(e)) return undefined;
  const hot = HOT.get(e.type as string);
  if (!hot) return undefined;
  const ok = isStr(e.runId) && isInt(e.seq, 1) && isNum(e.ts) && isStr(e.nodeId) && onlyKeys(e, hot.keys) && hot.check(e);
  return ok ? (e as EngineEventT) : undefined;
}

export type Decoded = { ok: true; message: ServerMessage } | { ok: false; error: string };

const EVENTS_KEYS = new Set(['kind', 'events']);

/**
 * A parsed frame checked against ServerMessage. An events frame is checked event by
 * event (hot shapes by hand, the rest by zod); one bad event rejects the whole frame, as
 * zod's check of the frame would.
 */
export function decodeServerMessage(raw: unknown): Decoded {
  if (isObj(raw) && raw.kind === 'events' && Array.isArray(raw.events) && onlyKeys(raw, EVENTS_KEYS)) {
    const input = raw.events as unknown[];
    const events: EngineEventT[] = new Array(input.length);
    for (let i = 0; i < input.length; i++) {
      const fast = fastEvent(input[i]);
      if (fast) {
        events[i] = fast;
        continue;
      }
      const parsed = EngineEvent.safeParse(input[i]);
      if (!parsed.success) return { ok: false, error: `event ${i}: ${parsed.error.message}` };
      events[i] = parsed.data;
    }
    return { ok: true, message: { kind: 'events', events } };
  }
  const parsed = ServerMessage.safeParse(raw);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, error: parsed.error.message };
}
