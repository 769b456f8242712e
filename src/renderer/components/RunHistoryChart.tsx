/**
 * Duration and cost of the last runs of one workflow over time (issue 13), drawn with
 * uPlot: duration on the left axis, cost on the right. The figures come from the run
 * history the left panel already holds (`runs.list` carries cost and retries).
 */
import { memo, useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RunSummary } from '../../contract';

/** How many of the workflow's latest finished runs the chart shows. */
export const CHART_RUNS = 20;

export const RunHistoryChart = memo(function RunHistoryChart({ runs, workflowId }: { runs: RunSummary[]; workflowId: string }) {
  const host = useRef<HTMLDivElement>(null);
  const points = useMemo(
    () =>
      runs
        .filter((r) => r.workflowId === workflowId && r.finishedAt !== null)
        .slice(0, CHART_RUNS)
        .reverse(),
    [runs, workflowId],
  );
  const data = useMemo<uPlot.AlignedData>(
    () => [points.map((r) => r.startedAt / 1000), points.map((r) => (r.finishedAt! - r.startedAt) / 1000), points.map((r) => r.costUsd ?? 0)],
    [points],
  );
  // The same figures again (the history changes with every batch of a running run, which the
  // chart leaves out): the chart is not redrawn. Built once while it shows; new figures are
  // set on it (building it reads styles and sizes, a forced layout, in the frame a run starts or ends).
  const figures = JSON.stringify(data);
  const latest = useRef(data);
  latest.current = data;
  const plot = useRef<uPlot | null>(null);
  const shown = points.length >= 2;
  useEffect(() => {
    const el = host.current;
    if (!el || !shown) return;
    const style = getComputedStyle(el);
    const ink = style.getPropertyValue('--muted').trim() || '#888';
    const chart = new uPlot(
      {
        width: Math.max(160, el.clientWidth),
        height: 110,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        // From zero, and never a range of nothing: runs that cost $0 still draw a flat line at the bottom.
        scales: { x: { time: true }, s: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 0.01)] }, usd: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 0.01)] } },
        axes: [
          { stroke: ink, grid: { show: false }, size: 28, font: '10px sans-serif' },
          { scale: 's', stroke: ink, size: 44, font: '10px sans-serif', values: (_u, vals) => vals.map((v) => `${v}s`) },
          { scale: 'usd', side: 1, stroke: ink, size: 44, font: '10px sans-serif', grid: { show: false }, values: (_u, vals) => vals.map((v) => `$${v}`) },
        ],
        series: [
          {},
          { label: 'Duration (s)', scale: 's', stroke: '#3b82f6', width: 2, points: { show: true, size: 5 } },
          { label: 'Cost ($)', scale: 'usd', stroke: '#f59e0b', width: 2, dash: [4, 3], points: { show: true, size: 5 } },
        ],
      },
      latest.current,
      el,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(160, el.clientWidth), height: 110 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shown]);
  useEffect(() => {
    if (plot.current && plot.current.data !== latest.current) plot.current.setData(latest.current);
  }, [figures]);
  if (points.length < 2) return null;
  const last = points[points.length - 1];
  return (
    <figure className="history-chart" aria-label={`Duration and cost of the last ${points.length} runs of ${last.workflowName ?? workflowId}`} data-testid="history-chart">
      <figcaption className="muted small">
        Last {points.length} runs of {last.workflowName ?? workflowId}
      </figcaption>
      <div ref={host} />
    </figure>
  );
});
