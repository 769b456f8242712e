/**
 * Status icons drawn as SVG: font glyphs for "paused" or "queued" are missing from many
 * system fonts (they render as empty boxes), and an icon must never depend on the font
 * because it is what makes a status readable without colour.
 */
import { memo } from 'react';
import type { NodeStatus, RunStatus } from '../../contract';

const PATHS: Record<NodeStatus | RunStatus, React.ReactNode> = {
  pending: <circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeDasharray="2.4 2" />,
  queued: (
    <>
      <circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M8 5v3.2l2 1.3" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </>
  ),
  running: (
    <>
      <circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" strokeOpacity="0.3" strokeWidth="2" />
      <path d="M8 2.5a5.5 5.5 0 0 1 5.5 5.5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </>
  ),
  retrying: <path d="M12.8 6.2A5 5 0 1 0 13 9M13.2 2.8v3.6H9.6" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />,
  waiting: (
    <>
      <rect x="4" y="3.5" width="2.6" height="9" rx="0.8" fill="currentColor" />
      <rect x="9.4" y="3.5" width="2.6" height="9" rx="0.8" fill="currentColor" />
    </>
  ),
  succeeded: <path d="M3.2 8.4l3 3 6.6-6.8" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />,
  failed: <path d="M4.2 4.2l7.6 7.6M11.8 4.2l-7.6 7.6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />,
  skipped: <path d="M3 11.5c1-4 4-6 8.5-5.5M9.5 3.5l2.3 2.5-2.6 2.2" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />,
  cancelled: (
    <>
      <circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M4.2 11.8l7.6-7.6" stroke="currentColor" strokeWidth="1.6" />
    </>
  ),
  stale: <path d="M2.5 6.5c1.8-1.6 3.7-1.6 5.5 0s3.7 1.6 5.5 0M2.5 10.5c1.8-1.6 3.7-1.6 5.5 0s3.7 1.6 5.5 0" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />,
  interrupted: <path d="M9.2 1.8L4 9h3.6l-1 5.2L12 7H8.4z" fill="currentColor" />,
};

export const StatusIcon = memo(function StatusIcon({ status, size = 12, className }: { status: NodeStatus | RunStatus; size?: number; className?: string }) {
  return (
    <svg className={`status-icon${className ? ` ${className}` : ''}`} width={size} height={size} viewBox="0 0 16 16" aria-hidden focusable="false">
      {PATHS[status]}
    </svg>
  );
});
