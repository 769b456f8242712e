/**
 * Run ownership by lease: the process executing a run writes its random owner id and
 * the time the lease lapses into the run's row, renews it on a heartbeat, and releases
 * it when it stops. Another process may take a run over only once the lease lapsed (the
 * owner died or hung) or was released, by one compare-and-set UPDATE, so two processes
 * never both execute a run. Unlike `kill(pid, 0)` this survives unreaped and reused pids
 * and works across machines sharing the database (issue 12's control plane reuses it).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SqliteDatabase } from '../store/db';
import { stderrLogger, type EngineLogger } from '../observe/logger';

export interface LeaseTiming {
  /** How long a lease holds without renewal; a SIGKILLed owner's runs are taken over after this. @default 10000 */
  durationMs: number;
  /** How often the owner renews its leases; well under durationMs so a slow tick does not lose one. @default 3000 */
  heartbeatMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { durationMs: 10_000, heartbeatMs: 3_000 };

/**
 * The timing to use: explicit options, else `AWE_LEASE_MS` / `AWE_LEASE_HEARTBEAT_MS` (tests and
 * the torture suite shorten them for child processes), else the defaults. The heartbeat defaults
 * to about a third of the duration.
 */
export function leaseTiming(options: Partial<LeaseTiming> = {}, env: NodeJS.ProcessEnv = process.env): LeaseTiming {
  const fromEnv = (name: string): number | undefined => {
    const n = Number(env[name]);
    return env[name] && Number.isFinite(n) && n > 0 ? n : undefined;
  };
  const durationMs = options.durationMs ?? fromEnv('AWE_LEASE_MS');
  if (durationMs === undefined) return { ...DEFAULT_LEASE_TIMING, ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}) };
  const heartbeatMs = options.heartbeatMs ?? fromEnv('AWE_LEASE_HEARTBEAT_MS') ?? Math.max(1, Math.round(durationMs / 3));
  if (heartbeatMs >= durationMs) throw new Error(`the lease heartbeat (${heartbeatMs} ms) must be shorter than the lease (${durationMs} ms)`);
  return { durationMs, heartbeatMs };
}

/** Who holds a run's lease, as stored. */
export interface LeaseHolder {
  ownerId: string;
  /** The holder's pid, for messages only (it may be on another machine or reused). */
  pid: number | null;
  expiresAt: number;
}

export type LeaseResult = { ok: true } | { ok: false; holder: LeaseHolder; lapsesInMs: number };

/** What a wait for another owner's lease ended with. */
export type LeaseWait = 'free' | 'lapsed' | 'live';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RunLease {
  /** Random per process (host and pid only make messages readable): a reused pid never inherits runs. */
  readonly ownerId = `${hostname()}/${process.pid}/${randomBytes(6).toString('hex')}`;
  readonly timing: LeaseTiming;
  private readonly held = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly s;
  private readonly renewAll: () => string[];

  constructor(
    db: SqliteDatabase,
    timing: Partial<LeaseTiming> = {},
    /** Called for a run whose lease another process took while this one held it (this process stalled). */
    private readonly onLost: (runId: string) => void = () => undefined,
    private readonly now: () => number = Date.now,
    private readonly logger: EngineLogger = stderrLogger,
  ) {
    this.timing = leaseTiming(timing);
    const p = (sql: string) => db.prepare(sql);
    const free = '(lease_owner IS NULL OR lease_owner = @me)';
    this.s = {
      acquire: p(`UPDATE runs SET lease_owner = @me, lease_expires_at = @until, owner_pid = @pid WHERE id = @id AND ${free}`),
      takeOver: p(`UPDATE runs SET lease_owner = @me, lease_expires_at = @until, owner_pid = @pid, cancel_requested = 0
        WHERE id = @id AND (${free} OR lease_expires_at <= @now)`),
      renew: p('UPDATE runs SET lease_expires_at = @until WHERE id = @id AND lease_owner = @me'),
      release: p('UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = @id AND lease_owner = @me'),
      holder: p('SELECT lease_owner AS ownerId, owner_pid AS pid, lease_expires_at AS expiresAt FROM runs WHERE id = ?'),
      orphans: p(`SELECT id FROM runs WHERE status IN ('running', 'waiting', 'interrupted')
        AND (lease_owner IS NULL OR lease_expires_at <= @now) ORDER BY started_at, rowid`),
    };
    this.renewAll = db.transaction(() => {
      const until = this.now() + this.timing.durationMs;
      const lost: string[] = [];
      for (const id of this.held) if (this.s.renew.run({ id, me: this.ownerId, until }).changes === 0) lost.push(id);
      return lost;
    });
  }

  /** Claims a run nobody holds (a new run, or one released cleanly). */
  acquire(runId: string): LeaseResult {
    return this.claim(this.s.acquire, runId);
  }

  /** Claims a run nobody holds or whose holder's lease lapsed: the atomic compare-and-set of a takeover. */
  takeOver(runId: string): LeaseResult {
    return this.claim(this.s.takeOver, runId);
  }

  /** Extends every lease this process holds; runs whose lease another process took are reported to onLost. */
  renew(): void {
    for (const id of this.renewAll()) {
      this.held.delete(id);
      this.onLost(id);
    }
    this.schedule();
  }

  /** Lets go of a run at once (finished, or this process is exiting), so the next owner need not wait. */
  release(runId: string): void {
    this.held.delete(runId);
    this.s.release.run({ id: runId, me: this.ownerId });
    this.schedule();
  }

  releaseAll(): void {
    for (const id of [...this.held]) this.release(id);
    this.stop();
  }

  holds(runId: string): boolean {
    return this.held.has(runId);
  }

  /** Another process's live lease on the run, if any. */
  heldElsewhere(runId: string): LeaseHolder | undefined {
    const h = this.s.holder.get(runId) as LeaseHolder | undefined;
    if (!h || h.ownerId === null || h.ownerId === this.ownerId || h.expiresAt === null || h.expiresAt <= this.now()) return undefined;
    return h;
  }

  /** Unfinished runs with no live lease: their owner died (or let go) and nobody took them over. */
  orphans(): string[] {
    return (this.s.orphans.all({ now: this.now() }) as { id: string }[]).map((r) => r.id);
  }

  /**
   * Waits while another process holds the run: 'live' as soon as the holder renews (or someone
   * else takes over), 'lapsed' once the lease it had ran out unrenewed, 'free' if nobody held it.
   * Bounded by one lease duration plus a poll.
   */
  async awaitHolder(runId: string, signal?: AbortSignal): Promise<LeaseWait> {
    const first = this.heldElsewhere(runId);
    if (!first) return 'free';
    const pollMs = Math.max(10, Math.min(250, this.timing.heartbeatMs / 4));
    for (;;) {
      signal?.throwIfAborted();
      await sleep(Math.min(pollMs, Math.max(1, first.expiresAt - this.now() + 1)));
      const h = this.s.holder.get(runId) as LeaseHolder | undefined;
      if (!h || h.ownerId === null) return 'free';
      if (h.ownerId !== first.ownerId || (h.expiresAt ?? 0) > first.expiresAt) return 'live';
      if ((h.expiresAt ?? 0) <= this.now()) return 'lapsed';
    }
  }

  stop(): void {
    if (this.heartbeat) clearTimeout(this.heartbeat);
    this.heartbeat = undefined;
  }

  private claim(statement: { run(params: Record<string, unknown>): { changes: number } }, runId: string): LeaseResult {
    const now = this.now();
    const changed = statement.run({ id: runId, me: this.ownerId, pid: process.pid, until: now + this.timing.durationMs, now }).changes === 1;
    if (changed) {
      this.held.add(runId);
      this.schedule();
      return { ok: true };
    }
    const holder = (this.s.holder.get(runId) as LeaseHolder | undefined) ?? { ownerId: '', pid: null, expiresAt: now };
    return { ok: false, holder, lapsesInMs: Math.max(0, (holder.expiresAt ?? now) - now) };
  }

  /** Heartbeat only while something is held; unref'd so it never keeps a finished process alive. */
  private schedule(): void {
    if (this.held.size === 0) return this.stop();
    if (this.heartbeat) return;
    this.heartbeat = setTimeout(() => {
      this.heartbeat = undefined;
      try {
        this.renew();
      } catch (err) {
        // A busy database: try again next beat; the lease has durationMs - heartbeatMs of slack.
        this.logger.warn(`renewing run leases failed: ${(err as Error).message}`);
        this.schedule();
      }
    }, this.timing.heartbeatMs);
    this.heartbeat.unref();
  }
}
