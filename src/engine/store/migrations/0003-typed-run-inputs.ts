/**
 * A run's inputs are stored typed (issue 11: `{"n":3}`, as `run.started` records them), where
 * earlier versions stored the text given (`{"n":"3"}`). Existing rows take the typed inputs
 * their own `run.started` event recorded; a run without one (stored, then the process died
 * before its first event was written) keeps what it has.
 */
import type { Migration } from './migration';

export const typedRunInputs: Migration = {
  version: 3,
  name: 'typed-run-inputs',
  sql: `
    UPDATE runs SET inputs = (
      SELECT json_extract(e.json, '$.inputs') FROM events e WHERE e.run_id = runs.id AND e.seq = 1 AND e.type = 'run.started'
    )
    WHERE EXISTS (
      SELECT 1 FROM events e WHERE e.run_id = runs.id AND e.seq = 1 AND e.type = 'run.started' AND json_type(e.json, '$.inputs') = 'object'
    );
  `,
};
