// The hand check of hot events must agree with zod's ServerMessage on every frame: same
// verdict, same value. Each case is a valid event of a hot type, or one with a single fault.
import { describe, expect, it } from 'vitest';
import { EngineEvent, ServerMessage } from '../../contract';
import { decodeServerMessage, fastEvent, hotEventKeys } from './decode';

const base = { runId: 'r1', seq: 3, ts: 1_700_000_000_000, nodeId: 'a' };
const valid: Record<string, unknown>[] = [
  { ...base, type: 'node.status', status: 'queued', generation: 0, attempt: 0 },
  { ...base, type: 'node.status', status: 'running', generation: 1, attempt: 2, reason: 'retry', input: { x: [1, 'two'] } },
  { ...base, type: 'node.status', status: 'failed', generation: 0, attempt: 1, error: { class: 'permanent', code: 'HTTP_400', message: 'bad' }, detail: 'why' },
  { ...base, type: 'node.output', generation: 0, output: { text: 'hi' }, cached: false },
  { ...base, type: 'node.output', generation: 2, output: null, cached: true, truncated: true },
  { ...base, type: 'node.verdict', pass: true, reasons: [], rework: 0, judge: 'rules' },
  { ...base, type: 'node.verdict', pass: false, reasons: ['empty'], rework: 1, judge: 'llm' },
  { ...base, type: 'node.log', level: 'warn', message: 'careful' },
  { ...base, type: 'node.log', level: 'info', message: 'with data', data: { n: 1 } },
];

const status = valid[0];
const faulty: [string, unknown][] = [
  ['an unknown node status', { ...status, status: 'done' }],
  ['seq 0', { ...status, seq: 0 }],
  ['a fractional seq', { ...status, seq: 1.5 }],
  ['a string ts', { ...status, ts: '1' }],
  ['a numeric nodeId', { ...status, nodeId: 7 }],
  ['no runId', { ...status, runId: undefined }],
  ['a negative attempt', { ...status, attempt: -1 }],
  ['an unknown reason', { ...status, reason: 'whim' }],
  ['a numeric detail', { ...status, detail: 3 }],
  ['an error of an unknown class', { ...status, error: { class: 'fatal', message: 'x' } }],
  ['an error without a message', { ...status, error: { class: 'transient' } }],
  ['an error with an extra field (stripped by zod)', { ...status, error: { class: 'transient', message: 'x', stack: 's' } }],
  ['an extra field (stripped by zod)', { ...status, extra: 1 }],
  ['an output without cached (zod fills in false)', { ...base, type: 'node.output', generation: 0, output: 1 }],
  ['a string cached', { ...valid[3], cached: 'no' }],
  ['a verdict with a numeric reason', { ...valid[5], reasons: [1] }],
  ['an unknown judge', { ...valid[5], judge: 'crowd' }],
  ['an unknown log level', { ...valid[7], level: 'trace' }],
  ['a log without a message', { ...base, type: 'node.log', level: 'info' }],
  ['an unknown type', { ...base, type: 'node.teleport' }],
  ['an array', [status]],
  ['null', null],
];

/** What zod makes of a frame holding these events. */
const byZod = (events: unknown[]) => {
  const r = ServerMessage.safeParse({ kind: 'events', events });
  return r.success ? { ok: true, message: r.data } : { ok: false };
};
const byDecoder = (events: unknown[]) => {
  const r = decodeServerMessage(JSON.parse(JSON.stringify({ kind: 'events', events })));
  return r.ok ? r : { ok: false };
};

describe('decodeServerMessage', () => {
  it('takes valid events of the hot types as they are, as zod would', () => {
    for (const e of valid) {
      const copy = JSON.parse(JSON.stringify(e));
      expect(fastEvent(copy), e.type as string).toBe(copy);
      expect(byDecoder([e])).toEqual(byZod([e]));
    }
  });

  it.each(faulty)('leaves %s to zod, and agrees with it', (_what, e) => {
    const copy = JSON.parse(JSON.stringify(e) ?? 'null');
    expect(fastEvent(copy)).toBeUndefined();
    expect(byDecoder([...valid, e])).toEqual(byZod([...valid, e]));
  });

  it('rejects a whole frame for one bad event and says which', () => {
    const r = decodeServerMessage({ kind: 'events', events: [valid[0], { ...status, status: 'done' }] });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^event 1:/);
  });

  it('fills in what zod fills in', () => {
    const r = decodeServerMessage({ kind: 'events', events: [{ ...base, type: 'node.output', generation: 0, output: 1 }] });
    expect(r.ok && r.message.kind === 'events' && r.message.events[0]).toMatchObject({ cached: false });
  });

  it('checks the other messages with zod', () => {
    for (const m of [
      { kind: 'result', id: 1, ok: true, result: { a: 1 } },
      { kind: 'result', id: 1, ok: false, error: { code: 'x', message: 'y' } },
      { kind: 'events', events: [], extra: 1 },
      { kind: 'result', id: -1, ok: true },
      { kind: 'events', events: 'no' },
      { kind: 'nonsense' },
    ]) {
      const r = decodeServerMessage(m);
      const z = ServerMessage.safeParse(m);
      expect(r.ok).toBe(z.success);
      if (r.ok && z.success) expect(r.message).toEqual(z.data);
    }
  });
});

describe('the hand-checked shapes follow the contract', () => {
  it('allow exactly the fields the schema of each hot event type has', () => {
    const hot = hotEventKeys();
    expect(hot.size).toBeGreaterThan(0);
    for (const [type, keys] of hot) {
      const schema = EngineEvent.options.find((o) => o.shape.type.value === type);
      expect(schema, type).toBeDefined();
      expect([...keys].sort(), type).toEqual(Object.keys(schema!.shape).sort());
    }
  });
});
