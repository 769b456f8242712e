/**
 * Live progress of a run in the terminal: one line per node with its state. On a TTY
 * the lines are redrawn in place (ANSI cursor moves, at most ~12 frames a second);
 * otherwise each state change is one plain line, which logs and tests can follow.
 */
import type { EngineEvent, NodeStatus } from '../contract';
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
  private readonly states = new Map<string, { status: NodeStatus; note: string }>();
  private readonly live: boolean;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly runIds: Set<string>,
    nodeIds: string[],
    private readonly options: ProgressOptions,
  ) {
    const rows = options.out.rows ?? 40;
    // A graph taller than the terminal cannot be redrawn in place: fall back to lines.
    this.live = (options.live ?? options.out.isTTY === true) && nodeIds.length < rows - 2;
    for (const id of nodeIds) this.states.set(id, { status: 'pending', note: '' });
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
      if (!this.runIds.has(e.runId)) continue;
      if (e.type === 'node.status') {
        const note = e.error ? e.error.message : e.detail ?? (e.reason && e.reason !== 'first' ? e.reason : '');
        this.states.set(e.nodeId, { status: e.status, note });
        if (!this.live && PLAIN_STATES.has(e.status)) {
          this.options.out.write(`${ICON[e.status]} ${e.nodeId} ${e.status}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${note ? ` — ${oneLine(note)}` : ''}\n`);
        }
      } else if (e.type === 'node.retry' && !this.live) {
        this.options.out.write(`↻ ${e.nodeId} retry ${e.attempt} in ${Math.round(e.delayMs)} ms — ${oneLine(e.error.message)}\n`);
      } else if (e.type === 'approval.requested') {
        const line = `⏸ ${e.nodeId} waits for approval: ${oneLine(e.message)}  (awe approve ${e.runId} ${e.nodeId} [--reject])\n`;
        if (this.live) this.states.set(e.nodeId, { status: 'waiting', note: `awe approve ${e.runId} ${e.nodeId}` });
        else this.options.out.write(line);
      } else if (e.type === 'run.finished' && !this.live) {
        this.options.out.write(`run ${e.runId} ${e.status}${e.error ? ` — ${oneLine(e.error)}` : ''}\n`);
      }
    }
    if (this.live && !this.timer) this.timer = setTimeout(() => ((this.timer = undefined), this.draw()), FRAME_MS);
  }

  private draw(): void {
    const out = this.options.out;
    const width = Math.max(20, (out.columns ?? 100) - 1);
    let frame = this.drawnLines ? `\x1b[${this.drawnLines}A` : '';
    for (const [id, s] of this.states) {
      const line = `${ICON[s.status]} ${id.padEnd(16)} ${s.status.padEnd(11)} ${oneLine(s.note)}`.slice(0, width);
      frame += `\x1b[2K${line}\n`;
    }
    this.drawnLines = this.states.size;
    out.write(frame);
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
