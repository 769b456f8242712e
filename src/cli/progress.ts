/**
 * Live progress of a run in the terminal: one line per node with its state. On a TTY
 * the lines are redrawn in place (ANSI cursor moves, at most ~12 frames a second);
 * otherwise each state change is one plain line, which logs and tests can follow.
 * The state shown is the shared fold of the run's events (contract/fold.ts), as in the UI.
 */
import { applyEvent, emptyRunView, type EngineEvent, type NodeStatus, type NodeView, type RunView } from '../contract';
import type { Engine } from '../engine';

const ICON: Record<NodeStatus, string> = {
  pending: '·',
  queued: '…',
  running: '▶',
  retrying: '↻',
  waiting: '⏸',
  succeeded: '✓',
  failed: '✗',
  skipped: '↷',
  cancelled: '■',
  stale: '~',
  interrupted: '!',
};

/** States worth a line in plain mode (queued/pending/stale are bookkeeping). */
const PLAIN_STATES = new Set<NodeStatus>(['running', 'retrying', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled', 'interrupted']);
const FRAME_MS = 80;

export interface ProgressOptions {
  out: NodeJS.WriteStream;
  /** Redraw in place; defaults to whether `out` is a terminal. */
  live?: boolean;
}

export class RunProgress {
  /** One folded view per followed run. */
  private readonly views = new Map<string, RunView>();
  private readonly live: boolean;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    runIds: Set<string>,
    nodeIds: string[],
    private readonly options: ProgressOptions,
  ) {
    const rows = options.out.rows ?? 40;
    // A graph taller than the terminal cannot be redrawn in place: fall back to lines.
    this.live = (options.live ?? options.out.isTTY === true) && nodeIds.length < rows - 2;
    for (const runId of runIds) this.views.set(runId, emptyRunView(runId, '', nodeIds));
  }

  attach(engine: Engine): this {
    this.unsubscribe = engine.subscribe((batch) => this.onEvents(batch));
    return this;
  }

  /** Draws the final frame and detaches. */
  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.live) this.draw();
  }

  private onEvents(batch: EngineEvent[]): void {
    for (const e of batch) {
      const view = this.views.get(e.runId);
      if (!view || e.seq <= view.lastSeq) continue;
      applyEvent(view, e);
      if (this.live) continue;
      if (e.type === 'node.status') {
        if (PLAIN_STATES.has(e.status)) {
          // A plain line tells this change: its own error, detail or reason.
          const note = e.error ? e.error.message : e.detail ?? (e.reason && e.reason !== 'first' ? e.reason : '');
          this.options.out.write(`${ICON[e.status]} ${e.nodeId} ${e.status}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${note ? ` — ${oneLine(note)}` : ''}\n`);
        }
      } else if (e.type === 'node.retry') {
        this.options.out.write(`↻ ${e.nodeId} retry ${e.attempt} in ${Math.round(e.delayMs)} ms — ${oneLine(e.error.message)}\n`);
      } else if (e.type === 'approval.requested') {
        this.options.out.write(`⏸ ${e.nodeId} waits for approval: ${oneLine(e.message)}  (awe approve ${e.runId} ${e.nodeId} [--reject])\n`);
      } else if (e.type === 'run.finished') {
        this.options.out.write(`run ${e.runId} ${e.status}${e.error ? ` — ${oneLine(e.error)}` : ''}\n`);
      }
    }
    if (this.live && !this.timer) this.timer = setTimeout(() => ((this.timer = undefined), this.draw()), FRAME_MS);
  }

  private draw(): void {
    const out = this.options.out;
    const width = Math.max(20, (out.columns ?? 100) - 1);
    let frame = this.drawnLines ? `\x1b[${this.drawnLines}A` : '';
    let lines = 0;
    for (const view of this.views.values()) {
      for (const id of Object.keys(view.nodes)) {
        const n = view.nodes[id];
        const note = n.status === 'waiting' && n.approval ? `awe approve ${view.runId} ${id}` : noteOf(n);
        const line = `${ICON[n.status]} ${id.padEnd(16)} ${n.status.padEnd(11)} ${oneLine(note)}`.slice(0, width);
        frame += `\x1b[2K${line}\n`;
        lines++;
      }
    }
    this.drawnLines = lines;
    out.write(frame);
  }
}

/** What a node's line says besides its state: its error, why it was skipped, or why it ran. */
function noteOf(n: NodeView): string {
  if (n.error) return n.error.message;
  if (n.detail) return n.detail;
  return n.reason && n.reason !== 'first' ? n.reason : '';
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
