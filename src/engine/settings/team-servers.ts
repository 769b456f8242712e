/**
 * Team servers the desktop app (or a browser page of a local `awe serve`) can attach to:
 * their origins in the key-value store, each token in the SecretStore (safeStorage in the
 * app, the 0600 secrets file headless). Only origins are kept, so the page's CSP can name
 * exactly the servers the person added (`connect-src`), and nothing else.
 */
import type { TeamServer } from '../../contract';
import { badRequest, notFound } from '../errors';
import type { KeyValue } from './key-value';
import type { SecretStore } from './secret-store';

const LIST_KEY = 'teamServers';
const secretName = (origin: string) => `teamServer:${origin}`;

/** The origin of a team server's address as a person typed it, or a bad-request error saying what is wrong. */
export function teamServerOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw badRequest(`"${text.trim()}" is not a server address; type it as awe serve prints it, e.g. http://10.0.0.5:8787`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest(`a team server's address starts with http:// or https://, not ${url.protocol}//`);
  if (url.username || url.password) throw badRequest('leave the user name and password out of the address; the token goes in its own field');
  if (url.search || url.hash) throw badRequest('type the address without ?… or #…: the token goes in its own field, never in the address');
  if (url.pathname !== '/') throw badRequest(`type the server's address only (${url.origin}), without a path`);
  return url.origin;
}

export class TeamServers {
  constructor(
    private readonly kv: KeyValue,
    private readonly secrets: SecretStore,
  ) {}

  list(): TeamServer[] {
    return this.origins().map((url) => ({ url, tokenSet: this.secrets.get(secretName(url)) !== undefined }));
  }

  save(address: string, token: string): TeamServer[] {
    const origin = teamServerOrigin(address);
    const clean = token.trim();
    if (!clean) throw badRequest('the token is empty: copy it from the team server (awe serve prints it, and writes it to <data dir>/serve-token)');
    this.secrets.set(secretName(origin), clean);
    if (!this.origins().includes(origin)) this.kv.set(LIST_KEY, [...this.origins(), origin]);
    return this.list();
  }

  remove(address: string): TeamServer[] {
    const origin = teamServerOrigin(address);
    this.secrets.set(secretName(origin), undefined);
    this.kv.set(
      LIST_KEY,
      this.origins().filter((o) => o !== origin),
    );
    return this.list();
  }

  credentials(address: string): { url: string; token: string } {
    const origin = teamServerOrigin(address);
    const token = this.origins().includes(origin) ? this.secrets.get(secretName(origin)) : undefined;
    if (token === undefined) throw notFound(`no team server ${origin} is saved; add it in Settings → Servers`);
    return { url: origin, token };
  }

  /**
   * What the UI's CSP must let the page connect to: each saved server's origin and its
   * WebSocket twin (ws:// for http://, wss:// for https://).
   */
  connectSources(): string[] {
    return this.origins().flatMap((o) => [o, o.replace(/^http/, 'ws')]);
  }

  private origins(): string[] {
    const value = this.kv.get(LIST_KEY);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }
}
