/**
 * Main → renderer event forwarding: the engine's batches are coalesced into at most one
 * `awe:events` message per ~16 ms frame, so a 10,000-node run does not flood IPC. Each
 * event keeps its run-scoped seq; a reloaded renderer catches up with `runs.events`.
 */
import { createCoalescer } from '../host/coalesce';
import type { EngineEvent } from '../contract';
import type { Engine } from '../engine';
import { EVENTS_CHANNEL } from './ipc';

export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export function forwardEvents(engine: Engine, target: () => EventTarget | undefined, intervalMs = 16): () => void {
  const coalescer = createCoalescer<EngineEvent>(
    (batch) => {
      const wc = target();
      if (wc && !wc.isDestroyed()) wc.send(EVENTS_CHANNEL, batch);
    },
    { intervalMs },
  );
  const unsubscribe = engine.subscribe((batch) => coalescer.push(batch));
  return () => {
    unsubscribe();
    coalescer.close();
  };
}
