/**
 * The Scorecard tab of a run (issue 13): the figures `runs.scorecard` computes from the
 * run's events — outcome and where it failed, wall time, critical path, approval wait,
 * retries, cache hits, tokens and cost by model, per-node latency, artifacts.
 */
import { useEffect, useState } from 'react';
import type { Scorecard } from '../../contract';
import { errorMessage, getAwe } from '../api/client';
import { exportArtifact } from '../app/actions';
import { useRuns } from '../app/stores';
import { formatBytes, formatDuration } from './status';

const usd = (n: number) => `$${n.toFixed(n > 0 && n < 0.01 ? 6 : 4)}`;

export function ScorecardPanel() {
  const runId = useRuns((s) => s.watchedRunId);
  // Fetched again when the run's state changes (a node finishes, the run ends), not per event.
  const status = useRuns((s) => (s.watchedRunId ? s.views[s.watchedRunId]?.status : undefined));
  const finished = useRuns((s) => (s.watchedRunId ? (s.tallies[s.watchedRunId]?.finished ?? 0) : 0));
  const [card, setCard] = useState<Scorecard | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!runId) return;
    let live = true;
    getAwe()
      .runsScorecard({ runId })
      .then((c) => live && (setCard(c), setError(null)))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [runId, status, finished]);
  if (!runId) return <div className="bottom-body muted small">Run a workflow or open a run to see its scorecard.</div>;
  if (error) return <div className="bottom-body danger small">Could not load the scorecard: {error}</div>;
  if (!card || card.runId !== runId) return <div className="bottom-body muted small">Loading the scorecard…</div>;
  const figures: [string, string][] = [
    ['Outcome', card.status],
    ...(card.failure ? [['Failed at', `${card.failure.label ?? card.failure.nodeId} (stage ${card.failure.stage})${card.failure.error ? ` — ${card.failure.error.message}` : ''}`] as [string, string]] : []),
    ['Wall time', formatDuration(card.wallMs)],
    ['Critical path', `${card.criticalPath.nodeIds.join(' → ') || '—'} (${formatDuration(card.criticalPath.ms)})`],
    ['Approval wait', formatDuration(card.approvalWaitMs)],
    ['Retries', `${card.retries}${Object.keys(card.retriesByCode).length ? ` (${Object.entries(card.retriesByCode).map(([c, n]) => `${c} ×${n}`).join(', ')})` : ''}`],
    ['Cache hits', String(card.cacheHits)],
    ['Tokens', `${card.usage.promptTokens.toLocaleString()} in, ${card.usage.completionTokens.toLocaleString()} out`],
    ['Cost', usd(card.usage.costUsd)],
  ];
  return (
    <div className="bottom-body scorecard" data-testid="scorecard">
      <dl className="scorecard-figures" aria-label="Run figures">
        {figures.map(([k, v]) => (
          <div key={k} className="scorecard-figure">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {card.byModel.length > 0 && (
        <table className="scorecard-table" aria-label="Cost by model">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Tokens in</th>
              <th scope="col">Tokens out</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {card.byModel.map((m) => (
              <tr key={m.model}>
                <td>{m.model}</td>
                <td>{m.promptTokens.toLocaleString()}</td>
                <td>{m.completionTokens.toLocaleString()}</td>
                <td>{usd(m.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <table className="scorecard-table" aria-label="Node latency">
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Status</th>
            <th scope="col">Latency</th>
            <th scope="col">Attempts</th>
            <th scope="col">Retries</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {card.nodes.map((n) => (
            <tr key={n.nodeId} className={card.criticalPath.nodeIds.includes(n.nodeId) ? 'critical' : undefined}>
              <td>
                {n.label ?? n.nodeId}
                {n.cached ? ' (cached)' : ''}
              </td>
              <td>{n.status}</td>
              <td>{formatDuration(n.latencyMs)}</td>
              <td>{n.attempts}</td>
              <td>{n.retries}</td>
              <td>{n.usage.costUsd ? usd(n.usage.costUsd) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {card.artifacts.length > 0 && (
        <ul className="scorecard-artifacts" aria-label="Artifacts of the run">
          {card.artifacts.map((a) => (
            <li key={a.id}>
              <button type="button" className="link-btn" aria-label={`Export ${a.name}`} onClick={() => void exportArtifact(a.id)}>
                {a.name}
              </button>{' '}
              <span className="muted small">
                {formatBytes(a.size)} from {a.nodeId}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
