/** Status and kind presentation: every status has an icon and a label, never colour alone. */
import type { ImportedFrom, NodeKind, NodeStatus, RunStatus } from '../../contract';
import { kindForTool, NODE_KINDS } from '../../shared/kinds';

export const STATUS_META: Record<NodeStatus | RunStatus, { icon: string; label: string }> = {
  pending: { icon: '○', label: 'Pending' },
  queued: { icon: '◷', label: 'Queued' },
  running: { icon: '◐', label: 'Running' },
  retrying: { icon: '↻', label: 'Retrying' },
  waiting: { icon: '⏸', label: 'Waiting for approval' },
  succeeded: { icon: '✓', label: 'Succeeded' },
  failed: { icon: '✕', label: 'Failed' },
  skipped: { icon: '⤼', label: 'Skipped' },
  cancelled: { icon: '⊘', label: 'Cancelled' },
  stale: { icon: '≈', label: 'Stale' },
  interrupted: { icon: '⚡', label: 'Interrupted' },
};

/** The glyph of each node kind (the registry's, src/shared/kinds). */
export const KIND_ICON: Readonly<Record<NodeKind, string>> = Object.fromEntries(Object.values(NODE_KINDS).map((k) => [k.kind, k.icon])) as Record<NodeKind, string>;

/** The node kind a palette tool creates. */
export { kindForTool };

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m ${Math.round((ms % 60_000) / 1000)}s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Where an imported run came from, in words (the history row's tooltip, the run header's badge). */
export function importedTitle(from: ImportedFrom): string {
  const where = [from.fileName, from.host ? `exported on ${from.host}${from.exportedAt ? ` ${new Date(from.exportedAt).toLocaleString()}` : ''}` : undefined].filter(Boolean).join(', ');
  return `Imported${where ? ` from ${where}` : ''} (run ${from.originalRunId}); read-only here`;
}
