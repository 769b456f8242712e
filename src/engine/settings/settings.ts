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
import { createLlmClient, DEFAULT_MODEL, llmConfigFromEnv, type PriceTable } from '../llm/client';
import type { LlmChatClient } from '../tools/types';
import type { SecretStore } from './secret-store';
import { badRequest } from '../errors';

/** The key-value store key settings are kept under. */
export const SETTINGS_KEY = 'settings';
/** The SecretStore name of the LLM API key. */
export const API_KEY_SECRET = 'llm.apiKey';

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
}

export interface KeyValue {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
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
    });
  }

  /** Applies an update; empty strings clear a value (the env fallback then applies). */
  update(update: SettingsUpdate): Settings {
    const u = SettingsUpdate.parse(update);
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
