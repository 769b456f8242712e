import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../contract';

// The pump's only way out: the API's event subscription (a fake server here) and the real runs store.
let deliver: (events: EngineEvent[]) => void = () => undefined;
vi.mock('../api/client', () => ({
  getAwe: () => ({
    events: {
      subscribe: (fn: (events: EngineEvent[]) => void) => {
        deliver = fn;
        return () => (deliver = () => undefined);
      },
    },
  }),
  AweCallError: class extends Error {},
  errorMessage: (e: unknown) => String(e),
}));

const { EVENT_APPLY_MS, startEventPump } = await import('./actions');
const { runsStore } = await import('./stores');

let seq = 0;
const log = (message: string): EngineEvent => ({ type: 'node.log', runId: 'r1', seq: ++seq, ts: seq, nodeId: 'a', level: 'info', message }) as EngineEvent;
const applied = () => runsStore.getState().views.r1?.lastSeq ?? 0;

describe('the event pump', () => {
  let frames: (() => void)[] = [];
  const runFrames = () => {
    const due = frames;
    frames = [];
    for (const f of due) f();
  };
  let stop: () => void;
  let updates = 0;
  let offStore: () => void;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    stop = startEventPump((cb) => void frames.push(cb));
    updates = 0;
    offStore = runsStore.subscribe(() => updates++);
  });
  afterEach(() => {
    stop();
    offStore();
    vi.useRealTimers();
  });

  it('applies events after a quiet spell on the next frame, and a busy stream at most every EVENT_APPLY_MS, the last events always', () => {
    vi.advanceTimersByTime(10 * EVENT_APPLY_MS);
    deliver([log('first')]);
    runFrames();
    expect(applied()).toBe(seq);
    expect(updates).toBe(1);

    // A message every 16 ms for a second: about ten store updates, not sixty.
    for (let t = 0; t < 1_000; t += 16) {
      deliver([log(`at ${t}`), log(`at ${t}, again`)]);
      vi.advanceTimersByTime(16);
      runFrames();
    }
    vi.advanceTimersByTime(EVENT_APPLY_MS);
    runFrames();
    expect(applied()).toBe(seq);
    expect(updates).toBeGreaterThanOrEqual(9);
    expect(updates).toBeLessThanOrEqual(12);
  });
});
