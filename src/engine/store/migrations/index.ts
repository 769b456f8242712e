/**
 * Numbered schema migrations, applied in order. Add a file `000N-what.ts` exporting a
 * `Migration` with the next version and list it here; never edit one that has shipped.
 */
import { init } from './0001-init';
import { leases } from './0002-leases';
import { typedRunInputs } from './0003-typed-run-inputs';
import { importedRuns } from './0004-imported-runs';
import type { Migration } from './migration';

export type { Migration } from './migration';

export const MIGRATIONS: readonly Migration[] = [init, leases, typedRunInputs, importedRuns];
