/**
 * Shown while a layout has taken longer than a moment: what is being arranged, a moving
 * bar, and a Cancel that leaves every position as it was. Quick layouts never show it.
 *
 * It changes the page once (when it appears): with a thousand nodes on the canvas, every
 * repaint costs the main thread a re-layerisation of the whole page (measured ~50–250 ms
 * in software rendering), so no ticking clock and no animated <progress>; the bar moves by
 * a transform animation, which the compositor runs without the main thread.
 */
import { memo, useEffect, useState } from 'react';
import { cancelLayout, useLayout } from '../app/layout';

/** Layouts quicker than this never flash the indicator. */
export const SHOW_AFTER_MS = 300;

export const LayoutProgress = memo(function LayoutProgress() {
  const job = useLayout((s) => s.job);
  const [shownFor, setShownFor] = useState<typeof job>(null);
  useEffect(() => {
    if (!job) return;
    const timer = setTimeout(() => setShownFor(job), Math.max(0, SHOW_AFTER_MS - (performance.now() - job.startedAt)));
    return () => clearTimeout(timer);
  }, [job]);
  if (!job || shownFor !== job) return null;
  const steps = `${job.nodeCount.toLocaleString('en')} ${job.nodeCount === 1 ? 'step' : 'steps'}`;
  return (
    <div className="layout-progress" role="status" aria-label="Layout in progress">
      <span>{job.reason === 'open' ? `Arranging ${steps} to open them…` : `Arranging ${steps}…`}</span>
      <div className="layout-progress-bar" role="progressbar" aria-label="Layout progress">
        <span />
      </div>
      <button type="button" className="btn" onClick={cancelLayout}>
        Cancel layout
      </button>
    </div>
  );
});
