/**
 * The `mcpServers` file format shared with Claude Desktop and other MCP clients, and the
 * verbatim command line a user approves before a server first starts.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describeIssue, formatPath, McpConfigFile, McpServerConfig } from '../../../contract';
import { EngineError } from '../../errors';

export type { McpConfigFile, McpServerConfig };
export type StdioServerConfig = Extract<McpServerConfig, { command: string }>;
export type HttpServerConfig = Extract<McpServerConfig, { url: string }>;

/** Becomes the middle of `mcp.<server>.<tool>`, so no dots or spaces. */
const SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export class McpConfigError extends EngineError {
  /** bad-request for a bad config, not-found for a server name that is not configured: API callers get a 4xx. */
  constructor(message: string, code: 'bad-request' | 'not-found' = 'bad-request') {
    super(code, message);
    this.name = 'McpConfigError';
  }
}

export const isStdio = (cfg: McpServerConfig): cfg is StdioServerConfig => 'command' in cfg;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function parseServer(name: string, raw: unknown, source: string): McpServerConfig {
  const where = `${source}: server '${name}'`;
  if (!SERVER_NAME.test(name)) {
    throw new McpConfigError(`${where}: the name may only use letters, digits, '-' and '_' (it becomes part of tool names like mcp.${name}.tool)`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new McpConfigError(`${where} must be an object with "command" (and "args", "env") or "url", not ${describeValue(raw)}`);
  }
  const entry = raw as Record<string, unknown>;
  if (!('command' in entry) && !('url' in entry)) {
    throw new McpConfigError(`${where} needs a "command" to run or a "url" to connect to`);
  }
  const variant = 'command' in entry ? McpServerConfig.options[0] : McpServerConfig.options[1];
  const parsed = variant.safeParse(entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = formatPath('', issue.path) || 'entry';
    throw new McpConfigError(`${where}: field "${field}" ${describeIssue(issue)}`);
  }
  return parsed.data;
}

/**
 * Parses the text of an `mcpServers` file.
 * @param source names the file in error messages. @default 'MCP config'
 * @throws McpConfigError naming the server and field at fault.
 */
export function parseMcpConfig(text: string, source = 'MCP config'): McpConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new McpConfigError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  const servers = (json as { mcpServers?: unknown } | null)?.mcpServers;
  if (typeof json !== 'object' || json === null || typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new McpConfigError(`${source} must be an object with an "mcpServers" object, e.g. {"mcpServers": {"files": {"command": "npx", "args": ["@modelcontextprotocol/server-filesystem", "."]}}}`);
  }
  const mcpServers: Record<string, McpServerConfig> = {};
  for (const [name, raw] of Object.entries(servers)) mcpServers[name] = parseServer(name, raw, source);
  return { mcpServers };
}

export async function readMcpConfigFile(file: string): Promise<McpConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new McpConfigError(`cannot read MCP config '${file}': ${(err as Error).message}`);
  }
  return parseMcpConfig(text, `MCP config '${file}'`);
}

/** POSIX shell quoting: words made only of safe characters stay bare. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The exact command (with its environment and folder) or URL, as shown for approval.
 * Everything that changes what runs is in it, so approving it approves exactly that.
 */
export function commandLine(cfg: McpServerConfig): string {
  if (!isStdio(cfg)) {
    const headers = Object.keys(cfg.headers ?? {});
    return headers.length > 0 ? `${cfg.url} (headers: ${headers.map((h) => `${h}: ${cfg.headers![h]}`).join('; ')})` : cfg.url;
  }
  const env = Object.entries(cfg.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const line = [...env, shellQuote(cfg.command), ...cfg.args.map(shellQuote)].join(' ');
  return cfg.cwd ? `cd ${shellQuote(cfg.cwd)} && ${line}` : line;
}

/** What an approval is keyed by: a changed command needs approving again. */
export const commandHash = (cfg: McpServerConfig): string => createHash('sha256').update(commandLine(cfg)).digest('hex');
