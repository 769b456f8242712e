/**
 * API keys kept with Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet): an
 * encrypted JSON file in userData. Values are only decrypted in the main process; the
 * renderer sees whether a key is set, never the key.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import type { SecretStore } from '../engine';

export function createSafeStorageSecrets(userDataDir: string, warn: (message: string) => void = console.warn): SecretStore {
  const file = join(userDataDir, 'secrets.json');
  const sealed: Record<string, string> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  // Without an OS keyring nothing is written to disk: a key typed in lasts for this session.
  const sessionOnly = new Map<string, string>();
  let warned = false;

  const persist = () => {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(sealed), { mode: 0o600 });
    renameSync(tmp, file);
    chmodSync(file, 0o600);
  };

  return {
    get(name) {
      if (sessionOnly.has(name)) return sessionOnly.get(name);
      const value = sealed[name];
      if (value === undefined || !safeStorage.isEncryptionAvailable()) return undefined;
      try {
        return safeStorage.decryptString(Buffer.from(value, 'base64'));
      } catch {
        warn(`The stored secret "${name}" could not be decrypted (was the OS keyring reset?); set it again in Settings.`);
        return undefined;
      }
    },
    set(name, value) {
      sessionOnly.delete(name);
      if (value === undefined || value === '') {
        delete sealed[name];
        persist();
        return;
      }
      const plainText = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
      if (!safeStorage.isEncryptionAvailable() || plainText) {
        if (!warned) warn('No OS keyring is available, so API keys are kept in memory for this session only and not saved.');
        warned = true;
        sessionOnly.set(name, value);
        return;
      }
      sealed[name] = safeStorage.encryptString(value).toString('base64');
      persist();
    },
  };
}
