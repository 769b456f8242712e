/**
 * Settings: the LLM endpoint, planner choice, global tool allowlist and price table.
 * Stored in the engine's key-value table; the API key lives in a SecretStore (Electron's
 * safeStorage in the app, a 0600 file headless) and is write-only: reads only say
 * whether one is set. Environment variables (OPENAI_API_KEY, OPENAI_BASE_URL,
 * AWE_LLM_MODEL) are fallbacks for what settings leave unset.
 *
 * A key is bound to the endpoint it was entered for: changing the base URL clears the
 * stored key (the person enters it again), and the environment's key goes only to the
 * environment's endpoint. So whoever can change settings cannot point the engine at a
 * server of theirs and receive the key with the next call.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Settings, SettingsUpdate } from '../../contract';
import { createLlmClient, DEFAULT_MODEL, llmConfigFromEnv, type PriceTable } from '../tools/llm/client';
import type { LlmChatClient } from '../tools/types';
import { otlpFromEnv, type OtlpTarget } from '../observe/tracing-switch';
import type { KeyValue } from './key-value';
import type { SecretStore } from './secret-store';
import { badRequest } from '../errors';

/** The key-value store key settings are kept under. */
export const SETTINGS_KEY = 'settings';
/** The SecretStore name of the LLM API key. */
export const API_KEY_SECRET = 'llm.apiKey';
/** The SecretStore name of the OTLP exporter's headers (an auth header, as Settings took it). */
export const OTLP_HEADERS_SECRET = 'otlp.headers';

/**
 * USD per 1M tokens, as OpenAI published them in 2025. Edit them in Settings; a model
 * not listed (Ollama, LM Studio) costs 0. Keys match a model name or its prefix.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o-mini': { prompt: 0.15, completion: 0.6 },
  'gpt-4o': { prompt: 2.5, completion: 10 },
  'gpt-4.1-mini': { prompt: 0.4, completion: 1.6 },
  'gpt-4.1-nano': { prompt: 0.1, completion: 0.4 },
  'gpt-4.1': { prompt: 2, completion: 8 },
};

interface StoredSettings {
  /** `keyEndpoint`: the base URL the stored key was entered for ('' = the default endpoint). */
  llm?: { baseUrl?: string; model?: string; keyEndpoint?: string };
  planner?: Settings['planner'];
  allowTools?: string[];
  prices?: PriceTable;
  /** `headersEndpoint`: the endpoint the stored headers were entered for (they go nowhere else). */
  observability?: { otlpEndpoint?: string; headersEndpoint?: string };
}

export interface LlmSettings {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  prices: PriceTable;
}

/** Local endpoints (Ollama, LM Studio, vLLM) take any key; the openai client needs a non-empty one. */
const KEYLESS_PLACEHOLDER = 'not-needed';

export class SettingsService {
  private client?: { signature: string; client: LlmChatClient };

  constructor(
    private readonly kv: KeyValue,
    private readonly secrets: SecretStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get(): Settings {
    const stored = this.stored();
    const llm = this.llmConfig();
    return Settings.parse({
      llm: { baseUrl: llm.baseUrl, model: llm.model, apiKeySet: !!llm.apiKey },
      planner: stored.planner ?? 'auto',
      allowTools: stored.allowTools ?? [],
      prices: llm.prices,
      observability: this.observability(),
    });
  }

  private observability(): Settings['observability'] {
    const target = this.otlpTarget();
    const headersSet = this.secrets.get(OTLP_HEADERS_SECRET) !== undefined;
    if (target.source === 'settings') return { source: 'settings', otlpEndpoint: target.endpoint, otlpHeadersSet: headersSet };
    if (target.source === 'environment') {
      return { source: 'environment', envVar: target.envVar, otlpEndpoint: this.env[target.envVar]?.trim(), otlpHeadersSet: headersSet };
    }
    return { source: 'off', ...(target.envVar ? { envVar: target.envVar } : {}), otlpHeadersSet: headersSet };
  }

  /**
   * Where traces go. The standard environment wins, as it does for every OpenTelemetry SDK
   * (a deployment's OTEL_* settings are not overridden from a dialog): OTEL_SDK_DISABLED=true
   * or OTEL_TRACES_EXPORTER=none turn tracing off, an OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT
   * sends there; otherwise the endpoint from Settings, if any.
   */
  otlpTarget(): OtlpTarget {
    const env = otlpFromEnv(this.env);
    if (env) return env.on ? { source: 'environment', envVar: env.envVar } : { source: 'off', envVar: env.envVar };
    const stored = this.stored().observability;
    if (!stored?.otlpEndpoint) return { source: 'off' };
    const raw = stored.headersEndpoint === stored.otlpEndpoint ? this.secrets.get(OTLP_HEADERS_SECRET) : undefined;
    return { source: 'settings', endpoint: stored.otlpEndpoint, headers: raw ? parseOtlpHeaders(raw) : {} };
  }

  /** Applies an update; empty strings clear a value (the env fallback then applies). */
  update(update: SettingsUpdate): Settings {
    const u = SettingsUpdate.parse(update);
    // Checked before anything is written: a refused update changes nothing, secrets included.
    const otlpEndpoint = u.observability?.otlpEndpoint?.trim().replace(/\/+$/, '');
    if (otlpEndpoint) checkOtlpEndpoint(otlpEndpoint);
    const otlpHeaders = u.observability?.otlpHeaders?.trim();
    if (otlpHeaders) parseOtlpHeaders(otlpHeaders); // refuses what the exporter could not send
    const stored = this.stored();
    if (u.llm) {
      const llm = { ...stored.llm };
      const endpointBefore = this.endpoint(stored);
      if (u.llm.baseUrl !== undefined) {
        const baseUrl = u.llm.baseUrl.trim();
        if (baseUrl && !/^https?:\/\/[^\s]+$/i.test(baseUrl)) {
          throw badRequest(`the LLM base URL must be an http(s) URL such as http://localhost:11434/v1, got "${baseUrl}"`);
        }
        llm.baseUrl = baseUrl || undefined;
      }
      if (u.llm.model !== undefined) llm.model = u.llm.model.trim() || undefined;
      stored.llm = llm;
      const endpointAfter = this.endpoint(stored);
      if (u.llm.apiKey !== undefined) {
        const key = u.llm.apiKey.trim() || undefined;
        this.secrets.set(API_KEY_SECRET, key);
        llm.keyEndpoint = key ? endpointAfter : undefined;
      } else if (endpointAfter !== endpointBefore && this.secrets.get(API_KEY_SECRET) !== undefined) {
        // Never send a key to an endpoint it was not entered for.
        this.secrets.set(API_KEY_SECRET, undefined);
        llm.keyEndpoint = undefined;
      }
    }
    if (u.planner !== undefined) stored.planner = u.planner;
    if (u.allowTools !== undefined) stored.allowTools = [...new Set(u.allowTools.map((t) => t.trim()).filter(Boolean))];
    if (u.prices !== undefined) stored.prices = u.prices;
    if (u.observability) {
      const o = { ...stored.observability };
      if (otlpEndpoint !== undefined) o.otlpEndpoint = otlpEndpoint || undefined;
      if (otlpHeaders !== undefined) {
        this.secrets.set(OTLP_HEADERS_SECRET, otlpHeaders || undefined);
        o.headersEndpoint = otlpHeaders ? o.otlpEndpoint : undefined;
      } else if (o.otlpEndpoint !== o.headersEndpoint && this.secrets.get(OTLP_HEADERS_SECRET) !== undefined) {
        // Headers carry credentials: never to an endpoint they were not entered for.
        this.secrets.set(OTLP_HEADERS_SECRET, undefined);
        o.headersEndpoint = undefined;
      }
      stored.observability = o;
    }
    this.kv.set(SETTINGS_KEY, stored);
    return this.get();
  }

  /** The effective LLM configuration: settings first, then the environment. */
  llmConfig(): LlmSettings {
    const stored = this.stored();
    const env = llmConfigFromEnv(this.env);
    const baseUrl = stored.llm?.baseUrl ?? env.baseUrl;
    const endpoint = baseUrl ?? '';
    // A key stored before keys were bound counts as entered for the current endpoint.
    const storedKey = (stored.llm?.keyEndpoint ?? endpoint) === endpoint ? this.secrets.get(API_KEY_SECRET) : undefined;
    const envKey = endpoint === (env.baseUrl ?? '') ? env.apiKey : undefined;
    return {
      baseUrl,
      apiKey: storedKey || envKey,
      model: stored.llm?.model ?? (this.env.AWE_LLM_MODEL?.trim() || DEFAULT_MODEL),
      prices: stored.prices ?? DEFAULT_PRICES,
    };
  }

  /**
   * A client for the configured endpoint, or undefined when there is neither a key nor a
   * custom base URL (then the offline planner is used and model nodes say how to configure).
   */
  llmClient(): LlmChatClient | undefined {
    const cfg = this.llmConfig();
    if (!cfg.apiKey && !cfg.baseUrl) return undefined;
    const apiKey = cfg.apiKey ?? KEYLESS_PLACEHOLDER;
    const signature = JSON.stringify([cfg.baseUrl, apiKey, cfg.model, cfg.prices]);
    if (this.client?.signature !== signature) {
      this.client = { signature, client: createLlmClient({ baseUrl: cfg.baseUrl, apiKey, model: cfg.model, prices: cfg.prices }) };
    }
    return this.client.client;
  }

  /** The effective base URL ('' = the client's default endpoint). */
  private endpoint(stored: StoredSettings): string {
    return stored.llm?.baseUrl ?? llmConfigFromEnv(this.env).baseUrl ?? '';
  }

  private stored(): StoredSettings {
    const value = this.kv.get(SETTINGS_KEY);
    return value && typeof value === 'object' ? structuredClone(value as StoredSettings) : {};
  }
}

function checkOtlpEndpoint(endpoint: string): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw badRequest(`the OTLP endpoint must be an http(s) URL such as http://127.0.0.1:4318, got "${endpoint}"`);
  }
  if (url.username || url.password) throw badRequest('the OTLP endpoint must not carry a user or password: put an authorization header in OTLP headers (kept with the secrets)');
  if (url.search || url.hash) throw badRequest(`the OTLP endpoint is a base URL (traces go to its /v1/traces), without ?query or #fragment: got "${endpoint}"`);
}

/**
 * `name=value,name2=value2` as OTEL_EXPORTER_OTLP_HEADERS writes them (values may be
 * percent-encoded). A pair without a name or `=`, or a name that is not an HTTP token, is refused.
 */
export function parseOtlpHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw badRequest(`OTLP headers are name=value pairs separated by commas (e.g. authorization=Bearer abc); "${pair.trim().slice(0, 40)}" is not one`);
    }
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // not percent-encoded: taken as it is
    }
    if (/[\r\n]/.test(value)) throw badRequest(`the OTLP header "${name}" holds a line break`);
    headers[name] = value;
  }
  return headers;
}

/**
 * Secrets in `dataDir/secrets.json`, readable by the owner only (0600), written
 * atomically. For headless use; the desktop app passes a safeStorage-backed store.
 */
export function fileSecretStore(dataDir: string): SecretStore {
  const file = path.join(dataDir, 'secrets.json');
  const read = (): Record<string, string> => {
    if (!existsSync(file)) return {};
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
    } catch (e) {
      throw new Error(`cannot read the secrets file ${file}: ${(e as Error).message}`, { cause: e });
    }
  };
  return {
    get(name) {
      const value = read()[name];
      return typeof value === 'string' ? value : undefined;
    },
    set(name, value) {
      const all = read();
      if (value === undefined) delete all[name];
      else all[name] = value;
      mkdirSync(dataDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
      chmodSync(tmp, 0o600); // the mode option is ignored when the file already exists
      renameSync(tmp, file);
    },
  };
}
