import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileSecretStore, SettingsService } from './settings';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function setup(env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'awe-settings-'));
  dirs.push(dir);
  const map = new Map<string, unknown>();
  const kv = { get: (k: string) => map.get(k), set: (k: string, v: unknown) => void map.set(k, v) };
  return { dir, map, service: new SettingsService(kv, fileSecretStore(dir), env) };
}

describe('SettingsService', () => {
  it('defaults: auto planner, default model, no key, no client', () => {
    const { service } = setup();
    const s = service.get();
    expect(s).toMatchObject({ planner: 'auto', allowTools: [], llm: { model: 'gpt-4o-mini', apiKeySet: false } });
    expect(s.prices['gpt-4o-mini']).toBeDefined();
    expect(service.llmClient()).toBeUndefined();
  });

  it('the API key is write-only: stored in the 0600 secrets file, never returned', () => {
    const { service, dir, map } = setup();
    const s = service.update({ llm: { apiKey: 'sk-secret-123', model: 'gpt-4.1-mini' } });
    expect(s.llm.apiKeySet).toBe(true);
    expect(JSON.stringify(s)).not.toContain('sk-secret-123');
    expect(JSON.stringify([...map.values()])).not.toContain('sk-secret-123');
    const file = path.join(dir, 'secrets.json');
    expect(readFileSync(file, 'utf8')).toContain('sk-secret-123');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(service.llmConfig()).toMatchObject({ apiKey: 'sk-secret-123', model: 'gpt-4.1-mini' });
    expect(service.llmClient()?.model).toBe('gpt-4.1-mini');
    // an empty string clears it
    expect(service.update({ llm: { apiKey: '' } }).llm.apiKeySet).toBe(false);
    expect(service.llmClient()).toBeUndefined();
  });

  it('environment variables are fallbacks that settings override', () => {
    const { service } = setup({ OPENAI_API_KEY: 'env-key', OPENAI_BASE_URL: 'http://localhost:11434/v1', AWE_LLM_MODEL: 'llama3.2' });
    expect(service.get().llm).toEqual({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.2', apiKeySet: true });
    service.update({ llm: { model: 'qwen2.5', baseUrl: 'http://127.0.0.1:1234/v1' } });
    // The environment's key belongs to the environment's endpoint only.
    expect(service.llmConfig()).toMatchObject({ baseUrl: 'http://127.0.0.1:1234/v1', model: 'qwen2.5', apiKey: undefined });
    service.update({ llm: { model: '' } });
    expect(service.get().llm.model).toBe('llama3.2');
  });

  it('a local endpoint without a key still gets a client (Ollama, LM Studio)', () => {
    const { service } = setup();
    service.update({ llm: { baseUrl: 'http://localhost:11434/v1', model: 'llama3.2' } });
    expect(service.llmClient()?.model).toBe('llama3.2');
  });

  it('rejects a base URL that is not http(s), naming it; keeps planner, allowlist and prices', () => {
    const { service } = setup();
    expect(() => service.update({ llm: { baseUrl: 'file:///etc/passwd' } })).toThrow(/file:\/\/\/etc\/passwd/);
    const s = service.update({ planner: 'offline', allowTools: ['http.fetch', ' http.fetch ', 'mcp.files.*'], prices: { m: { prompt: 1, completion: 2 } } });
    expect(s.planner).toBe('offline');
    expect(s.allowTools).toEqual(['http.fetch', 'mcp.files.*']);
    expect(s.prices).toEqual({ m: { prompt: 1, completion: 2 } });
  });

  it('a stored key is bound to its endpoint: changing only the base URL clears it', () => {
    const { service, dir } = setup();
    service.update({ llm: { baseUrl: 'https://api.example.com/v1', apiKey: 'sk-bound' } });
    expect(service.llmConfig().apiKey).toBe('sk-bound');
    service.update({ llm: { baseUrl: 'https://api.example.com/v1', model: 'other' } });
    expect(service.llmConfig().apiKey).toBe('sk-bound');
    const moved = service.update({ llm: { baseUrl: 'http://127.0.0.1:9/v1' } });
    expect(moved.llm.apiKeySet).toBe(false);
    expect(service.llmConfig().apiKey).toBeUndefined();
    expect(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain('sk-bound');
    // A key entered together with a new endpoint belongs to that endpoint.
    service.update({ llm: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-local' } });
    expect(service.llmConfig()).toMatchObject({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-local' });
    service.update({ llm: { baseUrl: '' } });
    expect(service.llmConfig().apiKey).toBeUndefined();
  });

  it('the environment key is not sent to an endpoint set in settings', () => {
    const { service } = setup({ OPENAI_API_KEY: 'env-key' });
    expect(service.llmConfig().apiKey).toBe('env-key');
    service.update({ llm: { baseUrl: 'http://attacker.example/v1' } });
    expect(service.get().llm.apiKeySet).toBe(false);
    expect(service.llmConfig().apiKey).toBeUndefined();
    service.update({ llm: { baseUrl: '' } });
    expect(service.llmConfig().apiKey).toBe('env-key');
  });

  it('the OTLP endpoint: validated, off by default, headers write-only in the secrets file and bound to the endpoint', () => {
    const { service, dir, map } = setup();
    expect(service.get().observability).toEqual({ source: 'off', otlpHeadersSet: false });
    expect(service.otlpTarget()).toEqual({ source: 'off' });
    for (const bad of ['127.0.0.1:4318', 'ftp://collector:21', 'http://user:pw@collector:4318', 'http://collector:4318/?x=1', 'not a url']) {
      expect(() => service.update({ observability: { otlpEndpoint: bad } }), bad).toThrow(/OTLP endpoint/);
    }
    expect(() => service.update({ observability: { otlpEndpoint: 'http://c:4318', otlpHeaders: 'authorization' } })).toThrow(/name=value pairs/);
    expect(() => service.update({ observability: { otlpEndpoint: 'http://c:4318', otlpHeaders: 'bad name=1' } })).toThrow(/name=value pairs/);
    expect(service.otlpTarget()).toEqual({ source: 'off' }); // nothing half-applied
    // Refused as a whole: the API key and base URL sent with a bad endpoint are not kept either.
    expect(() => service.update({ llm: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-with-bad-otlp' }, observability: { otlpEndpoint: 'collector:4318' } })).toThrow(/OTLP endpoint/);
    expect(service.get().llm).toMatchObject({ baseUrl: undefined, apiKeySet: false });
    expect(existsSync(path.join(dir, 'secrets.json')) ? readFileSync(path.join(dir, 'secrets.json'), 'utf8') : '').not.toContain('sk-with-bad-otlp');

    const s = service.update({ observability: { otlpEndpoint: 'https://otel.example.com:4318/', otlpHeaders: 'authorization=Bearer%20tok-123, x-team = blue' } });
    expect(s.observability).toEqual({ source: 'settings', otlpEndpoint: 'https://otel.example.com:4318', otlpHeadersSet: true });
    expect(JSON.stringify(s)).not.toContain('tok-123');
    expect(JSON.stringify([...map.values()])).not.toContain('tok-123');
    expect(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).toContain('tok-123');
    expect(service.otlpTarget()).toEqual({ source: 'settings', endpoint: 'https://otel.example.com:4318', headers: { authorization: 'Bearer tok-123', 'x-team': 'blue' } });

    // Another endpoint without new headers: the credentials do not follow it.
    expect(service.update({ observability: { otlpEndpoint: 'http://127.0.0.1:9' } }).observability.otlpHeadersSet).toBe(false);
    expect(service.otlpTarget()).toEqual({ source: 'settings', endpoint: 'http://127.0.0.1:9', headers: {} });
    expect(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain('tok-123');
    expect(service.update({ observability: { otlpEndpoint: '' } }).observability).toEqual({ source: 'off', otlpHeadersSet: false });
  });

  it('the OTEL_* environment wins over Settings and is named as the source', () => {
    const stored = { observability: { otlpEndpoint: 'http://127.0.0.1:4318' } };
    const env = setup({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.internal:4318' });
    env.service.update(stored);
    expect(env.service.get().observability).toEqual({ source: 'environment', envVar: 'OTEL_EXPORTER_OTLP_ENDPOINT', otlpEndpoint: 'http://collector.internal:4318', otlpHeadersSet: false });
    expect(env.service.otlpTarget()).toEqual({ source: 'environment', envVar: 'OTEL_EXPORTER_OTLP_ENDPOINT' });
    const disabled = setup({ OTEL_SDK_DISABLED: 'true' });
    disabled.service.update(stored);
    expect(disabled.service.get().observability).toEqual({ source: 'off', envVar: 'OTEL_SDK_DISABLED', otlpHeadersSet: false });
    const none = setup({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' });
    expect(none.service.otlpTarget()).toEqual({ source: 'off', envVar: 'OTEL_TRACES_EXPORTER' });
  });
});
