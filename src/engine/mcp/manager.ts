/**
 * The MCP servers AWE knows: configured (imported into the data folder, or passed on the
 * command line), approved by their exact command line before they first start, started
 * lazily, and offered to workflows as `mcp.<server>.<tool>` tools.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { McpServerInfo } from '../../contract';
import { permanent } from '../errors';
import type { ToolSpec } from '../tools/types';
import { commandHash, commandLine, McpConfigError, parseMcpConfig, type McpServerConfig } from './config';
import { DEFAULT_CONNECTION_OPTIONS, McpServerConnection } from './connection';
import { mcpToolSpec } from './tool-spec';

export interface McpManagerOptions {
  /** AWE's data folder; `mcp.json` (servers) and `mcp-approvals.json` live here. */
  dataDir: string;
  /** An extra `mcpServers` file (CLI `--mcp-config`); its servers are not copied into dataDir. */
  configPath?: string;
  /** Count the servers of `configPath` as approved: the user named that file on the command line. @default false */
  autoApprove?: boolean;
  /** Deadline of one MCP tool call. @default 60000 */
  callTimeoutMs?: number;
  /** Deadline for a server to start and finish the MCP handshake. @default 30000 */
  startTimeoutMs?: number;
  /** First restart delay after a crash (doubles per failure, capped at 30 s). @default 500 */
  backoffBaseMs?: number;
  /** Where problems with individual servers are reported. @default no logging */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
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
  private readonly connectionOptions;
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
    this.connectionOptions = {
      ...DEFAULT_CONNECTION_OPTIONS,
      ...(opts.callTimeoutMs ? { callTimeoutMs: opts.callTimeoutMs } : {}),
      ...(opts.startTimeoutMs ? { startTimeoutMs: opts.startTimeoutMs } : {}),
      ...(opts.backoffBaseMs ? { backoffBaseMs: opts.backoffBaseMs } : {}),
    };
    this.log = opts.log ?? (() => {});
  }

  /** Every configured server; command-line servers shadow imported ones of the same name. */
  private configs(): Record<string, McpServerConfig> {
    return { ...this.imported, ...this.fromCommandLine };
  }

  private configOf(name: string): McpServerConfig {
    const cfg = this.configs()[name];
    if (!cfg) throw new McpConfigError(`there is no MCP server named '${name}'`, 'NOT_FOUND');
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
    const conn = this.connection(name);
    const hash = commandHash(conn.config);
    const cached = this.specs.get(name);
    if (cached?.hash === hash) return cached.tools;
    const { tools, serverVersion } = await conn.listTools(signal);
    const specs = tools.map((tool) =>
      mcpToolSpec(
        name,
        serverVersion,
        tool,
        // Resolved at call time: the server may have been restarted, re-approved or removed since listing.
        (toolName, args, ctx) => this.connection(name).call(toolName, args, ctx),
        this.connectionOptions.callTimeoutMs,
      ),
    );
    this.specs.set(name, { hash, tools: specs });
    return specs;
  }

  /** Tools of every approved server; a server that fails to start is reported and skipped. */
  async tools(): Promise<ToolSpec[]> {
    const names = this.servers().filter((s) => s.approved).map((s) => s.name);
    const lists = await Promise.all(
      names.map((name) =>
        this.serverTools(name).catch((err: unknown) => {
          this.log('warn', (err as Error).message);
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
