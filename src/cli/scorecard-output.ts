/**
 * `awe show RUN --scorecard [--json]`: the run's scorecard (src/contract/scorecard.ts)
 * as a terminal page, or as one JSON value.
 */
import type { Scorecard } from '../contract';
import { scorecard } from '../shared/scorecard';
import type { RunReader } from '../engine/light';
import { EXIT, printJson } from './common';

export function printScorecard(engine: Pick<RunReader, 'getRun' | 'events'>, runId: string, flags: { json?: boolean }): number {
  const card = scorecard(engine.getRun(runId)!, engine.events(runId, 0));
  if (flags.json) printJson(card);
  else process.stdout.write(formatScorecard(card));
  return EXIT.ok;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

const usd = (n: number): string => `$${n.toFixed(n > 0 && n < 0.01 ? 6 : 4)}`;

export function formatScorecard(c: Scorecard): string {
  const lines: string[] = [];
  lines.push(`run ${c.runId} (${c.workflowName ?? c.workflowId}): ${c.status}`);
  if (c.failure) {
    const why = c.failure.error ? ` — ${c.failure.error.code ? `${c.failure.error.code}: ` : ''}${c.failure.error.message}` : '';
    lines.push(`  failed at       ${c.failure.nodeId}${c.failure.label ? ` (${c.failure.label})` : ''}, stage ${c.failure.stage}${why}`);
  } else if (c.error) lines.push(`  error           ${c.error}`);
  lines.push(`  wall time       ${formatDuration(c.wallMs)}`);
  lines.push(`  critical path   ${c.criticalPath.nodeIds.join(' → ') || '(none)'} (${formatDuration(c.criticalPath.ms)})`);
  lines.push(`  approval wait   ${formatDuration(c.approvalWaitMs)}${c.approvals.length ? ` over ${c.approvals.length} request${c.approvals.length === 1 ? '' : 's'}` : ''}`);
  const codes = Object.entries(c.retriesByCode).map(([code, n]) => `${code} ×${n}`).join(', ');
  lines.push(`  retries         ${c.retries}${codes ? ` (${codes})` : ''}`);
  lines.push(`  cache hits      ${c.cacheHits}`);
  lines.push(`  tokens          ${c.usage.promptTokens} in, ${c.usage.completionTokens} out; cost ${usd(c.usage.costUsd)}`);
  for (const m of c.byModel) lines.push(`    ${m.model.padEnd(24)} ${m.promptTokens} in, ${m.completionTokens} out, ${usd(m.costUsd)}`);
  lines.push('  nodes');
  for (const n of c.nodes) {
    const extra = [n.retries ? `${n.retries} retr${n.retries === 1 ? 'y' : 'ies'}` : '', n.cached ? 'cached' : '', n.usage.costUsd ? usd(n.usage.costUsd) : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`    ${n.nodeId.padEnd(20)} ${n.status.padEnd(10)} ${formatDuration(n.latencyMs).padStart(9)}  attempts ${n.attempts}${extra ? `  ${extra}` : ''}`);
  }
  if (c.artifacts.length) {
    lines.push('  artifacts');
    for (const a of c.artifacts) lines.push(`    ${a.name} (${a.size} bytes, from ${a.nodeId})  ${a.url}`);
  }
  return `${lines.join('\n')}\n`;
}
