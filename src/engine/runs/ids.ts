/**
 * Time-sortable random ids: a fixed-width base-36 millisecond clock, then random hex.
 * Sorting ids sorts by creation time; the random part keeps two processes apart.
 */
import { randomBytes } from 'node:crypto';

export function timeSortableId(prefix: string, now = Date.now()): string {
  return `${prefix}${now.toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}
