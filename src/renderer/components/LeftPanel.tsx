/** Left column: goal box, tool palette (searchable, grouped, draggable) and run history. */
import { memo, useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useReactFlow, useStoreApi } from '@xyflow/react';
import type { NodeKind, ToolInfo } from '../../contract';
import { importRunFile, newNodeAt, openRun, plan, refreshHistory } from '../app/actions';
import { RunFigures } from './RunFigures';
import { RunHistoryChart } from './RunHistoryChart';
import { graphStore, uiStore, useGraph, useRuns, useUi } from '../app/stores';
import { toolsStore, useTools } from '../app/tools';
import { TOOL_DRAG_TYPE } from './Canvas';
import { NODE_KINDS } from '../../shared/kinds';
import { KIND_ICON, STATUS_META, importedTitle, kindForTool } from './status';
import { StatusIcon } from './StatusIcon';
import { HiddenFileInput } from './common';
import { useRovingFocus } from './roving';

export function GoalBox() {
  const goal = useGraph((s) => s.workflow.goal ?? '');
  const [text, setText] = useState(goal);
  const busy = useUi((s) => !!s.busy.plan);
  useEffect(() => setText(goal), [goal]);
  return (
    <section className="panel-section goal-box">
      <label htmlFor="goal" className="section-title">
        Goal
      </label>
      <textarea
        id="goal"
        aria-label="Goal"
        placeholder="e.g. Fetch https://example.com and write a short summary report"
        value={text}
        rows={4}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void plan(text);
          }
        }}
      />
      <div className="row">
        <span className="muted small">Ctrl/⌘-Enter to plan</span>
        <button type="button" className="btn primary" aria-label="Plan" disabled={busy || !text.trim()} onClick={() => void plan(text)}>
          {busy ? 'Planning…' : 'Plan'}
        </button>
      </div>
    </section>
  );
}

/** Node kinds that need no tool: offered in the palette's "Flow" group. */
const FLOW_KINDS = Object.values(NODE_KINDS).filter((k) => k.flowPalette);

/**
 * A palette entry: drag it onto the canvas, or press Enter (or click) to add it at the
 * centre of the view. Named by the tool's title; the tool name and description describe it.
 */
const PaletteItem = memo(function PaletteItem({ name, title, description, kind, tool, onAdd }: { name: string; title: string; description: string; kind: NodeKind; tool?: string; onAdd(item: { tool?: string; kind: NodeKind }): void }) {
  const onDragStart = (e: DragEvent) => {
    e.dataTransfer.setData(TOOL_DRAG_TYPE, JSON.stringify({ tool, kind }));
    e.dataTransfer.setData('text/plain', tool ?? kind);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li>
      <button
        type="button"
        className="palette-item"
        draggable
        onDragStart={onDragStart}
        onClick={() => onAdd({ tool, kind })}
        data-testid={`palette-item-${name}`}
        data-roving-row
        data-roving-cell="primary"
        aria-label={title}
        aria-description={`${tool ?? kind}: ${description}. Enter adds it to the canvas.`}
        title={description}
      >
        <span className="palette-icon" aria-hidden>
          {KIND_ICON[kind]}
        </span>
        <span className="palette-text">
          <span className="palette-name">{title}</span>
          <span className="palette-tool">{tool ?? kind}</span>
        </span>
      </button>
    </li>
  );
});

/** Node size used to place a keyboard-added node so its middle, not its corner, is at the centre. */
const NEW_NODE = { width: 220, height: 64 };

/**
 * Adds a palette item at the centre of the canvas view and selects it. Where a node already
 * sits there it goes to the right of it (a chain added one by one reads left to right), and
 * the view follows when that is off screen.
 */
function useAddAtCentre() {
  const rf = useStoreApi();
  const { setCenter } = useReactFlow();
  return useCallback(
    ({ tool, kind }: { tool?: string; kind: NodeKind }) => {
      const { width, height, transform } = rf.getState();
      const [tx, ty, zoom] = transform;
      let at = { x: Math.round((width / 2 - tx) / zoom - NEW_NODE.width / 2), y: Math.round((height / 2 - ty) / zoom - NEW_NODE.height / 2) };
      const taken = graphStore.getState().workflow.nodes.map((n) => n.position).filter((p): p is { x: number; y: number } => !!p);
      const blocked = () => taken.some((p) => Math.abs(p.x - at.x) < NEW_NODE.width && Math.abs(p.y - at.y) < NEW_NODE.height + 16);
      for (let i = 0; i < 50 && blocked(); i++) at = { x: at.x + NEW_NODE.width + 60, y: at.y };
      if (tool) newNodeAt(tool, at, kind);
      else uiStore.getState().select([graphStore.getState().addNode({ kind, inputs: {}, position: at })]);
      const right = (at.x + NEW_NODE.width) * zoom + tx;
      const left = at.x * zoom + tx;
      if (left < 0 || right > width) void setCenter(at.x + NEW_NODE.width / 2, at.y + NEW_NODE.height / 2, { zoom });
    },
    [rf, setCenter],
  );
}

/** Groups tools by source, and built-ins by their name prefix (`file.*`, `text.*`, …). */
function groupTools(tools: ToolInfo[], query: string) {
  const q = query.trim().toLowerCase();
  const groups = new Map<string, ToolInfo[]>();
  for (const t of tools) {
    if (q && !`${t.name} ${t.title} ${t.description}`.toLowerCase().includes(q)) continue;
    const group = t.source === 'builtin' ? t.name.split('.')[0] : `MCP · ${t.source}`;
    const list = groups.get(group) ?? [];
    list.push(t);
    groups.set(group, list);
  }
  return [...groups.entries()].sort(([a], [b]) => Number(a.startsWith('MCP')) - Number(b.startsWith('MCP')) || a.localeCompare(b));
}

export function Palette() {
  const tools = useTools((s) => s.tools);
  const error = useTools((s) => s.error);
  const [query, setQuery] = useState('');
  const dialog = useUi((s) => s.dialog);
  useEffect(() => {
    // Refresh after Settings closes: MCP servers may have been added or removed.
    if (dialog === null) void toolsStore.getState().refresh();
  }, [dialog]);
  const groups = useMemo(() => groupTools(tools ?? [], query), [tools, query]);
  const onAdd = useAddAtCentre();
  const roving = useRovingFocus<HTMLDivElement>();
  const q = query.trim().toLowerCase();
  const flow = FLOW_KINDS.filter((k) => !q || `${k.title} ${k.description}`.toLowerCase().includes(q));
  return (
    <section className="panel-section palette" data-testid="palette">
      <div className="section-title">Tools</div>
      <input type="search" aria-label="Search tools" placeholder="Search tools…" value={query} onChange={(e) => setQuery(e.target.value)} />
      <div className="palette-scroll" {...roving}>
        {error && <div className="muted small">Tools unavailable: {error}</div>}
        {!tools && !error && <div className="muted small">Loading tools…</div>}
        {groups.map(([group, list]) => (
          <div key={group} className="palette-group">
            <div className="palette-group-title">{group}</div>
            <ul>
              {list.map((t) => (
                <PaletteItem key={t.name} name={t.name} title={t.title} description={t.description} kind={kindForTool(t.name)} tool={t.name} onAdd={onAdd} />
              ))}
            </ul>
          </div>
        ))}
        {flow.length > 0 && (
          <div className="palette-group">
            <div className="palette-group-title">flow</div>
            <ul>
              {flow.map((k) => (
                <PaletteItem key={k.kind} name={k.kind} title={k.title} description={k.description} kind={k.kind} onAdd={onAdd} />
              ))}
            </ul>
          </div>
        )}
        {tools && groups.length === 0 && flow.length === 0 && <div className="muted small">No tool matches “{query}”.</div>}
      </div>
    </section>
  );
}

export function RunHistory() {
  const history = useRuns((s) => s.history);
  const watched = useRuns((s) => s.watchedRunId);
  const picked = useUi((s) => s.compareRunIds);
  const roving = useRovingFocus<HTMLUListElement>();
  const bundleInput = useRef<HTMLInputElement>(null);
  // The chart follows the workflow of the run being watched, else of the latest run.
  const chartWorkflow = (history.find((r) => r.runId === watched) ?? history[0])?.workflowId;
  useEffect(() => {
    void refreshHistory();
  }, []);
  return (
    <section className="panel-section run-history" data-testid="run-history">
      <div className="section-title row">
        <span>Runs</span>
        <span className="spacer" />
        {history.length > 1 && (
          <button
            type="button"
            className="btn small"
            aria-label="Compare selected runs"
            title={picked.length === 2 ? 'Compare the two ticked runs node by node' : 'Tick two runs to compare them'}
            disabled={picked.length !== 2}
            onClick={() => uiStore.getState().openDialog('compare')}
          >
            Compare{picked.length ? ` (${picked.length}/2)` : ''}
          </button>
        )}
        {/* An icon, as Export run is: with Compare and Refresh a worded button would not fit the column. */}
        <button type="button" className="icon-btn" aria-label="Import run…" title="Import run… (a run's zip from Export run, here or on a team server; it opens read-only)" onClick={() => bundleInput.current?.click()}>
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden focusable="false">
            <path d="M8 10.5v-8M4.5 5.7 8 2.2l3.5 3.5M3 13.5h10" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </button>
        <HiddenFileInput ref={bundleInput} accept=".zip,application/zip" testId="import-run-file" onFile={(f) => void importRunFile(f)} />
        <button type="button" className="icon-btn" aria-label="Refresh runs" onClick={() => void refreshHistory()}>
          ↻
        </button>
      </div>
      {/* Above the list: the list scrolls, the chart stays in view however many runs there are. */}
      {chartWorkflow && <RunHistoryChart runs={history} workflowId={chartWorkflow} />}
      <ul className="history-list" {...roving} aria-label="Run history" aria-description="Arrow keys move between runs; Left and Right reach the compare tick box.">
        {history.length === 0 && <li className="muted small">No runs yet.</li>}
        {history.map((r) => (
          <li key={r.runId} className="history-row" data-roving-row>
            {history.length > 1 && (
              <input
                type="checkbox"
                className="history-pick"
                data-roving-cell
                aria-label={`Select run of ${r.workflowName ?? r.workflowId} at ${new Date(r.startedAt).toLocaleTimeString()} for comparison`}
                title="Tick two runs to compare them"
                checked={picked.includes(r.runId)}
                onChange={() => uiStore.getState().toggleCompare(r.runId)}
              />
            )}
            <button
              type="button"
              className={`history-item${r.runId === watched ? ' on' : ''}`}
              data-roving-cell="primary"
              aria-current={r.runId === watched ? 'true' : undefined}
              data-run-id={r.runId}
              data-status={r.status}
              onClick={() => void openRun(r.runId)}
              aria-label={`Open run ${r.workflowName ?? r.workflowId} ${new Date(r.startedAt).toLocaleString()}${r.importedFrom ? ' (imported)' : ''}`}
            >
              <span className={`dot status-${r.status}`} aria-hidden>
                <StatusIcon status={r.status} size={13} />
              </span>
              <span className="history-name">{r.workflowName ?? r.workflowId}</span>
              <span className="history-meta muted">
                {STATUS_META[r.status].label} · {new Date(r.startedAt).toLocaleTimeString()}
                {r.importedFrom && (
                  <span className="history-imported" title={importedTitle(r.importedFrom)}>
                    {' '}
                    · imported
                  </span>
                )}
              </span>
              <RunFigures run={r} />
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
