/**
 * Where the engine reports what no caller is waiting to hear: runs adopted or failed on
 * resume, events it could not record, slow statements, MCP servers in trouble. The host
 * chooses where that goes (`EngineOptions.logger`): the CLI and `awe serve` write it to
 * stderr as before, tests capture it. `console` fits the shape.
 */
export interface EngineLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** One `[awe] …` line per message on stderr: what the engine wrote before it had a logger. */
export const stderrLogger: EngineLogger = {
  info: (message) => void process.stderr.write(`[awe] ${message}\n`),
  warn: (message) => void process.stderr.write(`[awe] ${message}\n`),
  error: (message) => void process.stderr.write(`[awe] ${message}\n`),
};
