/**
 * Run ownership by lease (issue 10 item 7, shared with the distributed mode of issue 12):
 * the owner's random id and the time its lease lapses unless renewed by its heartbeat.
 * `owner_pid` stays as a diagnostic (which process, in messages) and is no longer trusted.
 */
import type { Migration } from './migration';

export const leases: Migration = {
  version: 2,
  name: 'leases',
  sql: `
    ALTER TABLE runs ADD COLUMN lease_owner TEXT;
    ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
  `,
};
