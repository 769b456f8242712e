/**
 * On the canvas of an imported run: that it was imported, from which file, and that it is
 * read-only here. On the canvas rather than in the run header, which has no room to spare at
 * 1280 px (its status, progress and Export must stay whole).
 */
import { memo } from 'react';
import { useRuns } from '../app/stores';
import { importedTitle } from './status';

export const ImportedMark = memo(function ImportedMark() {
  const from = useRuns((s) => s.history.find((r) => r.runId === s.watchedRunId)?.importedFrom);
  if (!from) return null;
  return (
    <div className="imported-mark" data-testid="imported-tag" role="note" title={importedTitle(from)}>
      Imported run{from.fileName ? ` from ${from.fileName}` : ''} · read-only
    </div>
  );
});
