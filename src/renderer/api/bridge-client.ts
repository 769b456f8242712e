/**
 * The AweApi over the Electron preload's bridge. The bridge resolves every call with its
 * DispatchResult envelope (contextBridge would strip an Error's code and problems); here
 * a failure becomes an AweCallError again, exactly as the WebSocket client rejects.
 */
import { COMMAND_NAMES, methodName, type AweApi, type AweBridge } from '../../contract';
import { unwrapResult } from './call-error';

export function createBridgeApi(bridge: AweBridge): AweApi {
  const methods = bridge as unknown as Record<string, (request: unknown) => Promise<unknown>>;
  const api: Record<string, unknown> = {};
  for (const command of COMMAND_NAMES) {
    const name = methodName(command);
    api[name] = async (request: unknown) => unwrapResult(await methods[name](request ?? {}));
  }
  api.events = bridge.events;
  api.platform = bridge.platform;
  return api as AweApi;
}
