/**
 * Shown while a layout has taken longer than a moment: what is being arranged, for how
 * long, and a Cancel that leaves every position as it was. Quick layouts never show it.
 */
import { memo, useEffect, useState } from 'react';
import { cancelLayout, useLayout } from '../app/layout';

/** Layouts quicker than this never flash the indicator. */
export const SHOW_AFTER_MS = 300;

export const LayoutProgress = memo(function LayoutProgress() {
  const job = useLayout((s) => s.job);
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!job) return;
    setNow(performance.now());
    const timer = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(timer);
  }, [job]);
  if (!job) return null;
  const elapsed = now - job.startedAt;
  if (elapsed < SHOW_AFTER_MS) return null;
  const steps = `${job.nodeCount.toLocaleString('en')} ${job.nodeCount === 1 ? 'step' : 'steps'}`;
  return (
    <div className="layout-progress" role="status" aria-label="Layout in progress">
      <div className="layout-progress-text">
        {job.reason === 'open' ? `Arranging ${steps} to open them` : `Arranging ${steps}`}… <span className="layout-progress-time">{(elapsed / 1000).toFixed(1)} s</span>
      </div>
      <progress aria-label="Layout progress" />
      <button type="button" className="btn" onClick={cancelLayout}>
        Cancel layout
      </button>
    </div>
  );
});
