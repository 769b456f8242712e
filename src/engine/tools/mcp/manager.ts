/**
 * The MCP servers AWE knows: configured (imported into the data folder, or passed on the
 * command line), approved by their exact command line before they first start, and offered
 * to workflows as `mcp.<server>.<tool>` tools.
 *
 * Servers start lazily: only when a tool of theirs is called, or when their tool list is
 * needed and not known yet. Each server's list is kept in `mcp-tools.json` (keyed by its
 * command), so the catalog, validation and planning of later commands start nothing; a
 * list is refreshed whenever the server is listed live. A start that hangs fails that
 * server alone after `startTimeoutMs`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { McpServerInfo } from '../../../contract';
import { permanent } from '../../errors';
import type { ToolSpec } from '../types';
import { commandHash, commandLine, McpConfigError, parseMcpConfig, type McpServerConfig } from './config';
import { DEFAULT_CONNECTION_OPTIONS, McpServerConnection } from './connection';
import { mcpToolSpec, type McpListedTool } from './tool-spec';

export interface McpManagerOptions {
  /** AWE's data folder; `mcp.json` (servers) and `mcp-approvals.json` live here. */
  dataDir: string;
  /** An extra `mcpServers` file (CLI `--mcp-config`); its servers are not copied into dataDir. */
  configPath?: string;
  /** Count the servers of `configPath` as approved: the user named that file on the command line. @default false */
  autoApprove?: boolean;
  /** Deadline of one MCP tool call. @default 60000 */
  callTimeoutMs?: number;
  /** Deadline for a server to start and finish the MCP handshake. @default 10000 */
  startTimeoutMs?: number;
  /** First restart delay after a crash (doubles per failure, capped at 30 s). @default 500 */
  backoffBaseMs?: number;
  /** Where problems with individual servers are reported. @default no logging */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Told each time a server is started again after a crash or disconnect (metrics). */
  onRestart?: (server: string) => void;
  /** Told each time a tool call to a server fails (metrics). */
  onCallFailure?: (server: string) => void;
}

/** A server's tool list as last listed, for the command line it was listed from. */
interface CachedList {
  hash: string;
  serverVersion: string;
  tools: McpListedTool[];
}

interface Approval {
  name: string;
  commandLine: string;
  approvedAt: number;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new McpConfigError(`'${file}' is not valid JSON: ${(err as Error).message}`);
  }
}

/** Write-then-rename, so a crash never leaves a half-written config behind. */
function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

export class McpManager {
  private readonly configFile: string;
  private readonly approvalsFile: string;
  private readonly imported: Record<string, McpServerConfig>;
  private readonly fromCommandLine: Record<string, McpServerConfig>;
  private readonly approvals: Record<string, Approval>;
  private readonly connections = new Map<string, McpServerConnection>();
  private readonly specs = new Map<string, { hash: string; tools: ToolSpec[] }>();
  private readonly listsFile: string;
  private readonly lists: Record<string, CachedList>;
  private readonly connectionOptions;
  private readonly onCallFailure?: (server: string) => void;
  private readonly log: NonNullable<McpManagerOptions['log']>;
  private closed = false;

  constructor(private readonly opts: McpManagerOptions) {
    this.configFile = path.join(opts.dataDir, 'mcp.json');
    this.approvalsFile = path.join(opts.dataDir, 'mcp-approvals.json');
    const saved = readJson(this.configFile);
    this.imported = saved === undefined ? {} : parseMcpConfig(JSON.stringify(saved), `'${this.configFile}'`).mcpServers;
    const extra = opts.configPath ? readJson(opts.configPath) : undefined;
    if (opts.configPath && extra === undefined) throw new McpConfigError(`MCP config '${opts.configPath}' does not exist`);
    this.fromCommandLine = extra === undefined ? {} : parseMcpConfig(JSON.stringify(extra), `MCP config '${opts.configPath}'`).mcpServers;
    this.approvals = ((readJson(this.approvalsFile) as { approved?: Record<string, Approval> } | undefined)?.approved ?? {}) as Record<string, Approval>;
    this.listsFile = path.join(opts.dataDir, 'mcp-tools.json');
    let lists: Record<string, CachedList> = {};
    try {
      lists = ((readJson(this.listsFile) as { servers?: Record<string, CachedList> } | undefined)?.servers ?? {}) as Record<string, CachedList>;
    } catch {
      // A damaged cache only means listing live again.
    }
    this.lists = lists;
    this.connectionOptions = {
      ...DEFAULT_CONNECTION_OPTIONS,
      ...(opts.callTimeoutMs ? { callTimeoutMs: opts.callTimeoutMs } : {}),
      ...(opts.startTimeoutMs ? { startTimeoutMs: opts.startTimeoutMs } : {}),
      ...(opts.backoffBaseMs ? { backoffBaseMs: opts.backoffBaseMs } : {}),
      ...(opts.onRestart ? { onRestart: opts.onRestart } : {}),
    };
    this.onCallFailure = opts.onCallFailure;
    this.log = opts.log ?? (() => {});
  }

  /** Every configured server; command-line servers shadow imported ones of the same name. */
  private configs(): Record<string, McpServerConfig> {
    return { ...this.imported, ...this.fromCommandLine };
  }

  private configOf(name: string): McpServerConfig {
    const cfg = this.configs()[name];
    if (!cfg) throw new McpConfigError(`there is no MCP server named '${name}'`, 'not-found');
    return cfg;
  }

  private isApproved(name: string, cfg: McpServerConfig): boolean {
    if (this.opts.autoApprove && this.fromCommandLine[name] === cfg) return true;
    return commandHash(cfg) in this.approvals;
  }

  servers(): McpServerInfo[] {
    return Object.entries(this.configs()).map(([name, cfg]) => {
      const approved = this.isApproved(name, cfg);
      const conn = this.connections.get(name);
      const current = conn && conn.config === cfg ? conn : undefined;
      const info: McpServerInfo = {
        name,
        commandLine: commandLine(cfg),
        approved,
        status: approved ? (current?.status ?? 'idle') : 'unapproved',
        tools: this.specs.get(name)?.hash === commandHash(cfg) ? this.specs.get(name)!.tools.map((t) => t.name) : [],
      };
      if (approved && current?.error) info.error = current.error;
      return info;
    });
  }

  /** Adds or replaces servers from an `mcpServers` JSON text; a changed command needs approval again. */
  importConfig(text: string): McpServerInfo[] {
    const { mcpServers } = parseMcpConfig(text, 'imported MCP config');
    for (const [name, cfg] of Object.entries(mcpServers)) {
      this.forget(name);
      this.imported[name] = cfg;
    }
    writeJson(this.configFile, { mcpServers: this.imported });
    return this.servers();
  }

  /** Approves the server's exact current command line (persisted). */
  approve(name: string): McpServerInfo[] {
    const cfg = this.configOf(name);
    this.approvals[commandHash(cfg)] = { name, commandLine: commandLine(cfg), approvedAt: Date.now() };
    writeJson(this.approvalsFile, { approved: this.approvals });
    return this.servers();
  }

  remove(name: string): McpServerInfo[] {
    this.configOf(name);
    this.forget(name);
    delete this.imported[name];
    delete this.fromCommandLine[name];
    writeJson(this.configFile, { mcpServers: this.imported });
    return this.servers();
  }

  /** Stops the server's process and drops its cached tools. */
  private forget(name: string): void {
    const conn = this.connections.get(name);
    this.connections.delete(name);
    this.specs.delete(name);
    delete this.lists[name];
    void conn?.close();
  }

  /** The live connection for the server's current config, replacing one for an older config. */
  private connection(name: string): McpServerConnection {
    const cfg = this.configOf(name);
    if (!this.isApproved(name, cfg)) {
      throw permanent('MCP_NOT_APPROVED', `MCP server '${name}' has not been approved to start; its command is: ${commandLine(cfg)}`);
    }
    if (this.closed) throw permanent('MCP_CLOSED', 'MCP servers have been shut down');
    let conn = this.connections.get(name);
    if (!conn || conn.config !== cfg) {
      void conn?.close();
      conn = new McpServerConnection(name, cfg, this.connectionOptions);
      this.connections.set(name, conn);
    }
    return conn;
  }

  /**
   * The tools of one approved server, starting it if needed.
   * @throws the start error (naming the command line and stderr tail), or MCP_NOT_APPROVED.
   */
  async serverTools(name: string, signal: AbortSignal = AbortSignal.timeout(this.connectionOptions.startTimeoutMs * 2)): Promise<ToolSpec[]> {
    const known = this.knownTools(name);
    if (known) return known;
    const conn = this.connection(name);
    const hash = commandHash(conn.config);
    const { tools, serverVersion } = await conn.listTools(signal);
    this.lists[name] = { hash, serverVersion, tools };
    try {
      writeJson(this.listsFile, { servers: this.lists });
    } catch (err) {
      this.log('warn', `could not save MCP tool lists: ${(err as Error).message}`);
    }
    return this.remember(name, hash, serverVersion, tools);
  }

  /** The server's tools if known without starting it (listed before, by this process or saved); else undefined. */
  knownTools(name: string): ToolSpec[] | undefined {
    const cfg = this.configs()[name];
    if (!cfg || !this.isApproved(name, cfg)) return undefined;
    const hash = commandHash(cfg);
    const inMemory = this.specs.get(name);
    if (inMemory?.hash === hash) return inMemory.tools;
    const saved = this.lists[name];
    if (saved?.hash === hash) return this.remember(name, hash, saved.serverVersion, saved.tools);
    return undefined;
  }

  /** Tools of every approved server whose list is known, starting none. */
  knownToolsOfAll(): ToolSpec[] {
    return Object.keys(this.configs()).flatMap((name) => this.knownTools(name) ?? []);
  }

  private remember(name: string, hash: string, serverVersion: string, tools: McpListedTool[]): ToolSpec[] {
    const specs = tools.map((tool) =>
      mcpToolSpec(
        name,
        serverVersion,
        tool,
        // Resolved at call time: the server may have been restarted, re-approved or removed since listing.
        (toolName, args, ctx) =>
          this.connection(name)
            .call(toolName, args, ctx)
            .catch((err: unknown) => {
              this.onCallFailure?.(name);
              throw err;
            }),
        this.connectionOptions.callTimeoutMs,
      ),
    );
    this.specs.set(name, { hash, tools: specs });
    return specs;
  }

  /**
   * Tools of every approved server (or of `names`): known lists as they are, the others listed
   * live, each start bounded by startTimeoutMs; a server that fails to start is reported and skipped.
   * (The catalog lists live rather than from cache alone so a newly approved server shows its tools.)
   */
  async tools(names?: readonly string[]): Promise<ToolSpec[]> {
    const approved = this.servers().filter((s) => s.approved && (!names || names.includes(s.name))).map((s) => s.name);
    const lists = await Promise.all(
      approved.map((name) =>
        // The start deadline ends a hanging start first, with an error naming the server and its command.
        this.serverTools(name).catch((err: unknown) => {
          const kind = (err as Error).name;
          this.log('warn', kind === 'TimeoutError' || kind === 'AbortError' ? `MCP server '${name}' did not list its tools in time` : (err as Error).message);
          return [] as ToolSpec[];
        }),
      ),
    );
    return lists.flat();
  }

  /** The running process id of a stdio server, for diagnostics. */
  pid(name: string): Promise<number | null> {
    return this.connections.get(name)?.pid() ?? Promise.resolve(null);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}
