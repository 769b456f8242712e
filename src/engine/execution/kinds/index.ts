/**
 * How each node kind runs, by the contract's `NodeKind`: a kind added there does not
 * compile until it is given a run here (its metadata and rules: src/shared/kinds).
 */
import type { NodeKind } from '../../../contract';
import { runCondition } from './condition';
import { readRunInput } from './input';
import { runMapNode } from './map';
import { collectOutput } from './output';
import { callTool } from './tool';
import type { KindRun } from './types';

export type { KindOutput, KindRun, KindRunContext } from './types';

export const KIND_RUNS: Readonly<Record<NodeKind, KindRun>> = {
  tool: callTool,
  llm: callTool,
  agent: callTool,
  approval: callTool,
  condition: runCondition,
  map: runMapNode,
  input: readRunInput,
  output: collectOutput,
};
