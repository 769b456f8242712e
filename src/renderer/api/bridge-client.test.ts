import { describe, expect, it } from 'vitest';
import type { AweBridge, DispatchResult } from '../../contract';
import { createBridgeApi } from './bridge-client';
import { AweCallError } from './call-error';

/** A bridge whose every method answers with `answer` (what the preload resolves with). */
function bridgeAnswering(answer: unknown): AweBridge {
  return new Proxy({ platform: 'electron', events: { subscribe: () => () => {} } } as Record<string, unknown>, {
    get: (target, key: string) => target[key] ?? (async () => structuredClone(answer)),
  }) as unknown as AweBridge;
}

describe('the AweApi over the preload bridge', () => {
  it('resolves with the result of an ok envelope', async () => {
    const api = createBridgeApi(bridgeAnswering({ ok: true, result: { workflows: [] } } satisfies DispatchResult));
    await expect(api.workflowsList({})).resolves.toEqual({ workflows: [] });
    expect(api.platform).toBe('electron');
  });

  it('rebuilds the ApiError from a failed envelope: an AweCallError with its code and problems', async () => {
    const error = { code: 'invalid-workflow' as const, message: 'The workflow has 1 problem', problems: [{ code: 'cycle' as const, message: 'a → b → a', nodeId: 'a' }] };
    const api = createBridgeApi(bridgeAnswering({ ok: false, error } satisfies DispatchResult));
    const err = await api.runsStart({ workflowId: 'w' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AweCallError);
    expect(err).toMatchObject({ message: error.message, code: 'invalid-workflow', problems: error.problems });
  });

  it('an answer that is not an envelope is an internal error, not a result', async () => {
    const api = createBridgeApi(bridgeAnswering({ workflows: [] }));
    await expect(api.workflowsList({})).rejects.toMatchObject({ code: 'internal' });
  });
});
