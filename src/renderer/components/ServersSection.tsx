/**
 * Settings → Servers: team `awe serve` instances this app can attach to. The address and
 * token are kept by the local engine (the token with its secrets, never shown again);
 * Connect switches the whole app to that server, Use local engine comes back.
 */
import { useEffect, useState } from 'react';
import type { TeamServer } from '../../contract';
import { errorMessage, getLocalAwe } from '../api/client';
import { chooseEngine, engineChoice } from '../api/engine-choice';
import { useActionError } from './common';

export function ServersSection() {
  const [servers, setServers] = useState<TeamServer[]>([]);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const { error, setError, guard } = useActionError();
  const current = engineChoice();

  useEffect(() => {
    getLocalAwe()
      .serversList({})
      .then((r) => setServers(r.servers))
      .catch((e) => setError(errorMessage(e)));
  }, []);

  const add = () =>
    guard(async () => {
      setServers((await getLocalAwe().serversSave({ url, token })).servers);
      setUrl('');
      setToken('');
    });

  return (
    <section aria-labelledby="servers-title">
      <h3 id="servers-title">Servers</h3>
      <p className="muted small">
        Attach to a team’s <code>awe serve</code>: its runs and workflows then show here like local ones. The token is kept with this machine’s secrets.
      </p>
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      <ul className="mcp-list" aria-label="Team servers">
        <li className="mcp-item">
          <div className="row">
            <b>Local engine</b>
            <span className="muted small">this machine</span>
            <span className="spacer" />
            {current.kind === 'local' ? (
              <span className="badge ok">in use</span>
            ) : (
              <button type="button" className="btn small" onClick={() => chooseEngine(null)}>
                Use local engine
              </button>
            )}
          </div>
        </li>
        {servers.map((s) => (
          <li key={s.url} className="mcp-item">
            <div className="row">
              <b>{s.url}</b>
              {!s.tokenSet && <span className="badge">no token</span>}
              <span className="spacer" />
              {current.kind === 'team' && current.url === s.url ? (
                <span className="badge ok">in use</span>
              ) : (
                <button type="button" className="btn primary small" aria-label={`Connect to ${s.url}`} onClick={() => chooseEngine(s.url)}>
                  Connect
                </button>
              )}
              <button
                type="button"
                className="btn small"
                aria-label={`Remove ${s.url}`}
                onClick={() =>
                  void guard(async () => {
                    setServers((await getLocalAwe().serversRemove({ url: s.url })).servers);
                    if (current.kind === 'team' && current.url === s.url) chooseEngine(null);
                  })
                }
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
      <div className="field-row">
        <div className="field">
          <label htmlFor="team-url">Server address</label>
          <input id="team-url" type="url" placeholder="http://10.0.0.5:8787" autoComplete="off" value={url} onChange={(e) => setUrl(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="team-token">Server token</label>
          <input id="team-token" type="password" autoComplete="off" placeholder="printed by awe serve" value={token} onChange={(e) => setToken(e.target.value)} />
        </div>
      </div>
      <button type="button" className="btn small" disabled={!url.trim() || !token.trim()} onClick={() => void add()}>
        Add server
      </button>
    </section>
  );
}
