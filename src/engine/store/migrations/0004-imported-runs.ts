/**
 * Runs imported from a bundle another AWE exported (issue 12: remote runs opened offline):
 * where they came from, as JSON (`ImportedFrom`). NULL for runs executed here; a run with it
 * is read-only.
 */
import type { Migration } from './migration';

export const importedRuns: Migration = {
  version: 4,
  name: 'imported-runs',
  sql: `
    ALTER TABLE runs ADD COLUMN imported_from TEXT;
  `,
};
