/** Settings: LLM endpoint/model/key (write-only), planner, OTLP endpoint and headers, team servers, MCP servers with approval, tool allowlist. */
import { useEffect, useState } from 'react';
import type { McpServerInfo, Settings } from '../../contract';
import { uiStore } from '../app/stores';
import { toolsStore } from '../app/tools';
import { errorMessage, getAwe } from '../api/client';
import { useActionError } from './common';
import { Modal } from './Modal';
import { ServersSection } from './ServersSection';

export function SettingsDialog() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [servers, setServers] = useState<McpServerInfo[]>([]);
  const [baseUrl, setBaseUrl] = useState('');
  const [model, setModel] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [planner, setPlanner] = useState<Settings['planner']>('auto');
  const [allow, setAllow] = useState('');
  const [mcpText, setMcpText] = useState('');
  const [otlpEndpoint, setOtlpEndpoint] = useState('');
  const [otlpHeaders, setOtlpHeaders] = useState('');
  const { error, setError, guard } = useActionError();
  const [saving, setSaving] = useState(false);

  const adopt = (s: Settings) => {
    setSettings(s);
    setBaseUrl(s.llm.baseUrl ?? '');
    setModel(s.llm.model ?? '');
    setPlanner(s.planner);
    setAllow(s.allowTools.join('\n'));
    if (s.observability.source !== 'environment') setOtlpEndpoint(s.observability.otlpEndpoint ?? '');
  };
  useEffect(() => {
    const api = getAwe();
    api.settingsGet({}).then(adopt).catch((e) => setError(errorMessage(e)));
    api.mcpList({}).then((r) => setServers(r.servers)).catch((e) => setError(errorMessage(e)));
  }, []);

  // A server that is (re)starting reports its tools when it is ready: look again until it settles.
  const settling = servers.some((s) => s.status === 'starting' || s.status === 'restarting');
  useEffect(() => {
    if (!settling) return;
    const t = setTimeout(() => {
      getAwe()
        .mcpList({})
        .then((r) => setServers(r.servers))
        .catch((e) => setError(errorMessage(e)));
    }, 1000);
    return () => clearTimeout(t);
  }, [settling, servers]);

  const close = () => uiStore.getState().openDialog(null);
  // The environment's OTEL_* variables decide when set: the fields are then shown, not sent.
  const otlpFromEnv = settings?.observability.envVar !== undefined;
  const save = () =>
    guard(async () => {
      setSaving(true);
      try {
        const next = await getAwe().settingsUpdate({
          llm: { baseUrl: baseUrl.trim() || undefined, model: model.trim() || undefined, ...(apiKey ? { apiKey } : {}) },
          planner,
          allowTools: allow.split(/[\n,]/).map((s) => s.trim()).filter(Boolean),
          ...(otlpFromEnv ? {} : { observability: { otlpEndpoint: otlpEndpoint.trim(), ...(otlpHeaders ? { otlpHeaders } : {}) } }),
        });
        adopt(next);
        setApiKey('');
        setOtlpHeaders('');
        uiStore.getState().notify('info', 'Settings saved.');
        close();
      } finally {
        setSaving(false);
      }
    });
  const clearKey = () => guard(async () => adopt(await getAwe().settingsUpdate({ llm: { apiKey: '' } })));
  const clearHeaders = () => guard(async () => adopt(await getAwe().settingsUpdate({ observability: { otlpHeaders: '' } })));
  const importMcp = () =>
    guard(async () => {
      JSON.parse(mcpText); // a readable error before the server's schema check
      const { servers: next } = await getAwe().mcpImport({ text: mcpText });
      setServers(next);
      setMcpText('');
      // A command approved before (same command line) starts right away.
      if (next.some((s) => s.approved && s.status === 'idle')) {
        await toolsStore.getState().refresh();
        setServers((await getAwe().mcpList({})).servers);
      }
    });

  /** Approving starts the server (listing tools starts approved servers); show its status and tools as soon as they are known. */
  const approve = async (name: string) => {
    setServers((await getAwe().mcpApprove({ name })).servers);
    await toolsStore.getState().refresh();
    setServers((await getAwe().mcpList({})).servers);
  };

  return (
    <Modal
      title="Settings"
      onClose={close}
      wide
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Close
          </button>
          <button type="button" className="btn primary" aria-label="Save settings" disabled={!settings || saving} onClick={() => void save()}>
            Save settings
          </button>
        </>
      }
    >
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      <h3>Language model</h3>
      <div className="field-row">
        <div className="field">
          <label htmlFor="llm-url">Base URL (OpenAI-compatible)</label>
          <input id="llm-url" type="url" placeholder="https://api.openai.com/v1 or http://localhost:11434/v1" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="llm-model">Model</label>
          <input id="llm-model" type="text" placeholder="gpt-4o-mini" value={model} onChange={(e) => setModel(e.target.value)} />
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <div className="key-row">
            <label htmlFor="llm-key">API key</label>
            {settings?.llm.apiKeySet && <span className="badge ok">key set</span>}
            {settings?.llm.apiKeySet && (
              <button type="button" className="btn small" aria-label="Clear API key" onClick={() => void clearKey()}>
                Clear key
              </button>
            )}
          </div>
          <input id="llm-key" type="password" autoComplete="off" placeholder={settings?.llm.apiKeySet ? '•••••••• (type to replace)' : 'not set'} value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
          <div className="muted small">Write-only: the key is stored securely and never shown again.</div>
        </div>
        <div className="field">
          <label htmlFor="planner">Planner</label>
          <select id="planner" value={planner} onChange={(e) => setPlanner(e.target.value as Settings['planner'])}>
            <option value="auto">auto (LLM when a key is set, else offline)</option>
            <option value="offline">offline (rule-based)</option>
            <option value="llm">llm</option>
          </select>
          <div className="muted small">The offline planner needs no key or network.</div>
        </div>
      </div>

      <section aria-labelledby="observability-title">
        <h3 id="observability-title">Observability</h3>
        <p className="muted small" data-testid="otlp-source">
          {otlpSourceText(settings?.observability)}
        </p>
        <div className="field-row">
          <div className="field">
            <label htmlFor="otlp-endpoint">OTLP endpoint (traces over OTLP/HTTP)</label>
            <input
              id="otlp-endpoint"
              type="url"
              placeholder="http://127.0.0.1:4318 (empty: no traces)"
              disabled={otlpFromEnv}
              value={otlpFromEnv ? (settings?.observability.otlpEndpoint ?? '') : otlpEndpoint}
              onChange={(e) => setOtlpEndpoint(e.target.value)}
            />
          </div>
          <div className="field">
            <div className="key-row">
              <label htmlFor="otlp-headers">OTLP headers</label>
              {settings?.observability.otlpHeadersSet && <span className="badge ok">headers set</span>}
              {settings?.observability.otlpHeadersSet && !otlpFromEnv && (
                <button type="button" className="btn small" aria-label="Clear OTLP headers" onClick={() => void clearHeaders()}>
                  Clear headers
                </button>
              )}
            </div>
            <input
              id="otlp-headers"
              type="password"
              autoComplete="off"
              disabled={otlpFromEnv}
              placeholder={settings?.observability.otlpHeadersSet ? '•••••••• (type to replace)' : 'authorization=Bearer …'}
              value={otlpHeaders}
              onChange={(e) => setOtlpHeaders(e.target.value)}
            />
            <div className="muted small">Write-only, kept with the secrets, sent only to this endpoint.</div>
          </div>
        </div>
      </section>

      <ServersSection />

      <h3>MCP servers</h3>
      <ul className="mcp-list" data-testid="mcp-servers">
        {servers.length === 0 && <li className="muted">No MCP servers. Import an mcpServers JSON below.</li>}
        {servers.map((s) => (
          <li key={s.name} className="mcp-item" data-status={s.status}>
            <div className="row">
              <b>{s.name}</b>
              <span className={`badge mcp-${s.status}`}>{s.status}</span>
              <span className="muted small">{s.tools.length} tools</span>
              <span className="spacer" />
              {!s.approved && (
                <button type="button" className="btn primary small" aria-label={`Approve ${s.name}`} onClick={() => void guard(() => approve(s.name))}>
                  Approve
                </button>
              )}
              <button type="button" className="btn small" aria-label={`Remove ${s.name}`} onClick={() => void guard(async () => setServers((await getAwe().mcpRemove({ name: s.name })).servers))}>
                Remove
              </button>
            </div>
            {!s.approved && <div className="muted small">This command will run on your machine once approved:</div>}
            <code className="cmdline">{s.commandLine}</code>
            {/* The engine's message puts the command and its stderr on lines of their own. */}
            {s.error && <div className="field-error multiline">{s.error}</div>}
            {s.tools.length > 0 && (
              <ul className="tool-chips" aria-label={`Tools of ${s.name}`}>
                {s.tools.slice(0, 16).map((t) => (
                  <li key={t} title={t}>
                    {t.replace(`mcp.${s.name}.`, '')}
                  </li>
                ))}
                {s.tools.length > 16 && <li className="muted">+{s.tools.length - 16} more</li>}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor="mcp-json">Import mcpServers JSON</label>
        <textarea id="mcp-json" className="mono" rows={4} placeholder={'{ "mcpServers": { "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."] } } }'} value={mcpText} onChange={(e) => setMcpText(e.target.value)} />
        <div className="row">
          <label className="btn small file-pick">
            Load a file…
            <input
              type="file"
              accept=".json,application/json"
              aria-label="mcpServers file"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) setMcpText(await f.text());
              }}
            />
          </label>
          <span className="muted small">Servers start only after you approve their command.</span>
          <span className="spacer" />
          <button type="button" className="btn" aria-label="Import MCP servers" disabled={!mcpText.trim()} onClick={() => void importMcp()}>
            Import servers
          </button>
        </div>
      </div>

      <h3>Tool allowlist</h3>
      <div className="field">
        <label htmlFor="allow">Tools that run without asking (one per line; <code>mcp.server.*</code> allowed)</label>
        <textarea id="allow" className="mono" rows={3} value={allow} onChange={(e) => setAllow(e.target.value)} />
      </div>
    </Modal>
  );
}

/** Who decides where traces go, in words. */
function otlpSourceText(o: Settings['observability'] | undefined): string {
  if (!o) return '';
  if (o.source === 'environment') return `Set by ${o.envVar} in the environment (it wins over Settings): traces go to ${o.otlpEndpoint}.`;
  if (o.source === 'off' && o.envVar) return `Off: ${o.envVar} in the environment turns tracing off.`;
  if (o.source === 'settings') return `Traces of every run go to ${o.otlpEndpoint}/v1/traces.`;
  return 'Off: no OTLP endpoint. Traces of runs are sent once one is set here or in OTEL_EXPORTER_OTLP_ENDPOINT.';
}
