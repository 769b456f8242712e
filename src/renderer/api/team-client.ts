/**
 * The AweApi of a team's `awe serve`, reached from this page over its WebSocket. The
 * token comes from the local engine (Settings → Servers keeps it with the secrets) and is
 * offered as a subprotocol; exports are fetched with it in a header and handed to the
 * page as a local blob, so the token is never put in a URL.
 */
import { methodName, type AweApi } from '../../contract';
import { createWebSocketApi, socketUrl, type ConnectionMonitor } from './ws-client';

export function createTeamApi(origin: string, token: () => Promise<string>): AweApi & { connection: ConnectionMonitor; close(): void } {
  const api = createWebSocketApi({ url: socketUrl(new URL(origin)), token });
  const methods = api as unknown as Record<string, (request: unknown) => Promise<unknown>>;
  for (const command of ['runs.export', 'artifacts.export'] as const) {
    const ask = methods[methodName(command)];
    methods[methodName(command)] = async (request: unknown) => {
      const res = (await ask(request)) as { url?: string; fileName: string };
      if (typeof res.url !== 'string') return res;
      const answer = await fetch(new URL(res.url, origin), { headers: { authorization: `Bearer ${await token()}` } });
      if (!answer.ok) throw new Error(`The team server refused the download (${answer.status}): ${await answer.text()}`);
      const url = URL.createObjectURL(await answer.blob());
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return { ...res, url };
    };
  }
  return api;
}
