/** Where API keys live: safeStorage in Electron, a 0600 file or the environment headless. */
export interface SecretStore {
  get(name: string): string | undefined;
  set(name: string, value: string | undefined): void;
}
