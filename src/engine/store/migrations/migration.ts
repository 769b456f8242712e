/** One numbered schema migration (see index.ts for the order they run in). */
export interface Migration {
  /** Becomes the database's `user_version` once applied. */
  version: number;
  name: string;
  sql: string;
}
