/** Duration, cost and retries of one run, as a run history row shows them (issue 13). */
import type { RunSummary } from '../../contract';
import { formatDuration } from './status';

export function RunFigures({ run }: { run: RunSummary }) {
  const parts = [
    run.finishedAt !== null ? formatDuration(run.finishedAt - run.startedAt) : 'running',
    run.costUsd ? `$${run.costUsd.toFixed(run.costUsd < 0.01 ? 4 : 2)}` : '',
    run.retries ? `${run.retries} retr${run.retries === 1 ? 'y' : 'ies'}` : '',
  ].filter(Boolean);
  return (
    <span className="history-figures muted small" data-testid="run-figures">
      {parts.join(' · ')}
    </span>
  );
}
