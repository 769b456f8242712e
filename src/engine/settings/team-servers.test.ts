import { describe, expect, it } from 'vitest';
import { TeamServers, teamServerOrigin } from './team-servers';

function book() {
  const kv = new Map<string, unknown>();
  const secrets = new Map<string, string>();
  const servers = new TeamServers(
    { get: (k) => kv.get(k), set: (k, v) => void kv.set(k, v) },
    { get: (k) => secrets.get(k), set: (k, v) => void (v === undefined ? secrets.delete(k) : secrets.set(k, v)) },
  );
  return { servers, kv, secrets };
}

describe('team servers', () => {
  it('keeps origins in settings and tokens in the secret store; lists never show a token', () => {
    const { servers, kv, secrets } = book();
    expect(servers.save('  https://awe.team.example:8787/ ', ' s3cret ')).toEqual([{ url: 'https://awe.team.example:8787', tokenSet: true }]);
    expect(JSON.stringify(kv.get('teamServers'))).not.toContain('s3cret');
    expect([...secrets.values()]).toEqual(['s3cret']);
    expect(servers.credentials('https://awe.team.example:8787')).toEqual({ url: 'https://awe.team.example:8787', token: 's3cret' });
    servers.save('https://awe.team.example:8787', 'rotated');
    expect(servers.list()).toHaveLength(1);
    expect(servers.credentials('https://awe.team.example:8787/').token).toBe('rotated');
    expect(servers.remove('https://awe.team.example:8787')).toEqual([]);
    expect(secrets.size).toBe(0);
    expect(() => servers.credentials('https://awe.team.example:8787')).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('the CSP may connect to each saved server over HTTP and its WebSocket, nothing else', () => {
    const { servers } = book();
    servers.save('http://10.0.0.5:8787', 't');
    servers.save('https://awe.team.example', 't');
    expect(servers.connectSources()).toEqual(['http://10.0.0.5:8787', 'ws://10.0.0.5:8787', 'https://awe.team.example', 'wss://awe.team.example']);
  });

  it.each([
    ['10.0.0.5:8787', /not a server address.*e.g. http:\/\//],
    ['not an address', /not a server address/],
    ['file:///etc/passwd', /http:\/\/ or https:\/\//],
    ['http://127.0.0.1:8787/?token=abc', /token goes in its own field/],
    ['http://me:pw@127.0.0.1:8787', /user name and password/],
    ['http://127.0.0.1:8787/api', /without a path/],
    ["http://127.0.0.1:8787 'unsafe-inline'", /not a server address/],
  ])('refuses %s with a reason', (typed, reason) => {
    expect(() => teamServerOrigin(typed)).toThrow(reason);
  });
});
