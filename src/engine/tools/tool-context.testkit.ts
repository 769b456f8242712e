/**
 * A ToolContext for tests that call tools directly: records log lines, has no LLM,
 * refuses approvals and nested tool calls (as headless mode does).
 */
import type { ToolContext } from './types';

export interface RecordedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: unknown;
}

export function testToolContext(overrides: Partial<ToolContext> = {}): ToolContext & { logs: RecordedLog[] } {
  const logs: RecordedLog[] = [];
  return {
    signal: new AbortController().signal,
    log: (level, message, data) => void logs.push({ level, message, data }),
    idempotencyKey: 'run-test:node-test:1',
    runId: 'run-test',
    nodeId: 'node-test',
    workspaceDir: process.cwd(),
    artifacts: {
      save: () => Promise.reject(new Error('artifacts are not available in this test')),
    },
    reportUsage: () => {},
    requestApproval: () => Promise.reject(new Error('approvals are not available in this test')),
    callTool: (name) => Promise.reject(new Error(`nested tool call to ${name} is not available in this test`)),
    ...overrides,
    logs,
  };
}
