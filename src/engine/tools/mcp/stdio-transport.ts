/**
 * The stdio transport for MCP servers, with the server in its own process group. The SDK's
 * StdioClientTransport escalates to SIGKILL only after 4 s of waiting on unref'd timers, so a
 * CLI command that exits sooner left a hung server (and anything it spawned, e.g. under npx)
 * running forever. Here the server is spawned detached (its own group) and `close` ends the
 * whole group within a second; a process exit kills every group still alive, synchronously.
 * On Windows there are no process groups: the server itself is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface StdioServerParams {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** How long a server may take to exit on its own after stdin closes, then after SIGTERM. */
const EXIT_GRACE_MS = 250;
const TERM_GRACE_MS = 500;

const GROUPS = process.platform !== 'win32';
/** Process groups (= leader pids) of servers started by this process and not yet known dead. */
const live = new Set<number>();
let exitHookInstalled = false;

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(GROUPS ? -pid : pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left of it
  }
}

function track(pid: number): void {
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the process exits while a close is still waiting: nothing may outlive us.
  process.on('exit', () => {
    for (const group of live) signalGroup(group, 'SIGKILL');
  });
}

export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** The server's stderr (available before start, so early lines are not lost). */
  readonly stderr = new PassThrough();
  private child?: ChildProcess;
  private readonly buffer = new ReadBuffer();
  private exited?: Promise<void>;
  private closedNotified = false;
  /** The close under way: a second close (the SDK closes on a failed handshake, then AWE does) waits for the same end. */
  private closing?: Promise<void>;

  constructor(private readonly params: StdioServerParams) {}

  /** The server's pid (its process group) while it runs. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): Promise<void> {
    if (this.child) throw new Error('ProcessGroupStdioTransport already started');
    return new Promise((resolve, reject) => {
      const child = spawn(this.params.command, this.params.args ?? [], {
        env: this.params.env,
        cwd: this.params.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        detached: GROUPS,
        windowsHide: true,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once('exit', () => done()));
      child.once('error', (error) => {
        this.child = undefined;
        reject(error);
        this.onerror?.(error);
      });
      child.once('spawn', () => {
        const pid = child.pid!;
        track(pid);
        child.once('exit', () => {
          // The server is gone: what it started is orphaned, and once the group is empty its id may be reused.
          if (GROUPS) signalGroup(pid, 'SIGKILL');
          live.delete(pid);
        });
        resolve();
      });
      // 'exit' rather than only 'close': a grandchild holding stdout open must not hide the server's death.
      child.once('exit', () => this.notifyClosed());
      child.once('close', () => this.notifyClosed());
      child.stdin!.on('error', (error) => this.onerror?.(error));
      child.stdout!.on('error', (error) => this.onerror?.(error));
      child.stdout!.on('data', (chunk: Buffer) => {
        this.buffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            this.onerror?.(error as Error);
            continue;
          }
          if (message === null) break;
          this.onmessage?.(message);
        }
      });
      child.stderr!.pipe(this.stderr);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || stdin.destroyed) return reject(new Error('Not connected'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Ends the server: stdin closed, then SIGTERM, then SIGKILL to its whole group; resolves within ~1 s. */
  close(): Promise<void> {
    this.closing ??= this.end();
    return this.closing;
  }

  private async end(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child?.pid !== undefined) {
      const pid = child.pid;
      const waitExit = (ms: number) =>
        new Promise<boolean>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
          const timer = setTimeout(() => resolve(false), ms);
          void this.exited!.then(() => {
            clearTimeout(timer);
            resolve(true);
          });
        });
      try {
        child.stdin?.end();
      } catch {
        // already gone
      }
      if (!(await waitExit(EXIT_GRACE_MS))) {
        signalGroup(pid, 'SIGTERM');
        if (!(await waitExit(TERM_GRACE_MS))) signalGroup(pid, 'SIGKILL');
      }
      // The server may be gone while what it started lives on in its group.
      if (GROUPS && signalGroup(pid, 0)) signalGroup(pid, 'SIGKILL');
      live.delete(pid);
    }
    this.buffer.clear();
    this.notifyClosed();
  }

  private notifyClosed(): void {
    if (this.closedNotified) return;
    this.closedNotified = true;
    this.onclose?.();
  }
}
