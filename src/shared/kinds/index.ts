/**
 * The node-kind registry: every kind of the contract's `NodeKind`, one module each. What
 * the validator, the editor and the planner know of a kind is read from here; how a kind
 * runs is in src/engine/execution/kinds.
 */
import type { NodeKind, WorkflowNode } from '../../contract';
import { agentKind } from './agent';
import { approvalKind } from './approval';
import { conditionKind } from './condition';
import { inputKind } from './input';
import { llmKind } from './llm';
import { mapKind } from './map';
import { outputKind } from './output';
import { toolKind } from './tool';
import type { NodeKindInfo, Schema } from './types';

export type { KindForm, KindTool, NodeKindInfo, Schema } from './types';

/** Typed by the contract's enum: a kind added there does not compile until it is registered here. */
export const NODE_KINDS: Readonly<Record<NodeKind, NodeKindInfo>> = {
  tool: toolKind,
  llm: llmKind,
  agent: agentKind,
  approval: approvalKind,
  // The palette's "Flow" group lists these in this order.
  input: inputKind,
  condition: conditionKind,
  map: mapKind,
  output: outputKind,
};

export const kindInfo = (kind: NodeKind): NodeKindInfo => NODE_KINDS[kind];

/** Whether a node of `kind` branches: its out-edges carry `branch` (a condition's). */
export const branchesFrom = (kind: NodeKind | undefined): boolean => kind !== undefined && NODE_KINDS[kind].branches === true;

/** The tool a node calls: the one it names, else its kind's default; none for kinds that run themselves. */
export function toolOf(node: Pick<WorkflowNode, 'kind' | 'tool'>): string | undefined {
  const { tool } = NODE_KINDS[node.kind];
  if (tool.uses === 'none') return undefined;
  return node.tool ?? (tool.uses === 'default' ? tool.name : undefined);
}

/** The kind a palette tool creates: the kind whose default tool it is, else a plain tool node. */
export function kindForTool(tool: string): NodeKind {
  for (const info of Object.values(NODE_KINDS)) if (info.tool.uses === 'default' && info.tool.name === tool) return info.kind;
  return 'tool';
}

/** What a node's output looks like to the nodes after it. */
export function nodeOutputSchema(node: WorkflowNode, toolOutput: (tool: string) => Schema | undefined): Schema | undefined {
  const info = NODE_KINDS[node.kind];
  if (info.outputSchema) return info.outputSchema(node, toolOutput);
  const tool = toolOf(node);
  return (node.outputSchema as Schema | undefined) ?? (tool ? toolOutput(tool) : undefined);
}
