/** Status and kind presentation: every status has an icon and a label, never colour alone. */
import type { NodeKind, NodeStatus, RunStatus } from '../../contract';

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

export const KIND_ICON: Record<NodeKind, string> = {
  tool: '⚙',
  llm: '✦',
  agent: '◎',
  condition: '◇',
  map: '⇶',
  input: '⇥',
  output: '⇤',
  approval: '⚑',
};

/** The node kind a palette tool creates. */
export function kindForTool(tool: string): NodeKind {
  if (tool === 'llm.generate') return 'llm';
  if (tool === 'agent.run') return 'agent';
  if (tool === 'human.approve') return 'approval';
  return 'tool';
}

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
