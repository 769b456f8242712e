/** Where settings, trust, workspaces and team servers keep their keys (the store's settings table; a map in tests). */
export interface KeyValue {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}
