/**
 * What a node kind is, as the validator, the editor and the planner all need to know it:
 * its name and icon, the tool it calls, the rules its inputs follow, the shape of its
 * output. How a kind runs is the engine's part (src/engine/execution/kinds). One module per kind in
 * this folder; `index.ts` lists them, and a test checks every kind of the contract has one.
 *
 * Pure: imports only the contract; no Node APIs, no DOM.
 */
import type { NodeKind, Problem, WorkflowNode } from '../../contract';

/** The subset of JSON Schema the editor reads to suggest references and build fields. */
export type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  title?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  default?: unknown;
  format?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
};

/**
 * Which tool a node of the kind calls: `none` (it runs itself), `named` (the node must name
 * one in `tool`), or `default` (it calls `name` unless `tool` names another).
 */
export type KindTool = { uses: 'none' } | { uses: 'named' } | { uses: 'default'; name: string };

/** Which form the inspector shows for the node's inputs. */
export type KindForm = 'tool-inputs' | 'map' | 'condition' | 'input' | 'output';

export interface NodeKindInfo {
  kind: NodeKind;
  /** The kind's name as the palette and inspector show it. */
  title: string;
  /** One line on what it does (palette, inspector). */
  description: string;
  /** A glyph shown with the kind everywhere (never colour alone). */
  icon: string;
  tool: KindTool;
  /** Offered in the palette's "Flow" group (kinds that are not one tool). */
  flowPalette?: boolean;
  form: KindForm;
  /** Its out-edges carry `branch: 'true' | 'false'`. */
  branches?: boolean;
  /** Calls a model: the workflow's `settings.model` applies, and the model is part of its cache key. */
  usesModel?: boolean;
  /** The rule the planner's instructions give the model for this kind. */
  plannerHint: string;
  /**
   * The input fields that may use `{{item}}` and `{{index}}` (a map's per-item input).
   * @default none
   */
  itemScope?: readonly string[];
  /** The run input the node reads, when it declares one (an input node's `inputs.name`). */
  declaresInput?(node: WorkflowNode): string | undefined;
  /** Problems with the node's own inputs that need no tool or graph to find; `at` is its path (`nodes[3]`). */
  check?(node: WorkflowNode, at: string): Problem[];
  /**
   * The inputs checked against the tool's input schema before the run, each with its path.
   * @default the node's inputs
   */
  toolInputs?(node: WorkflowNode, at: string): { value: Record<string, unknown>; at: string }[];
  /**
   * What the node's output looks like to the nodes after it, given the tool's output schema.
   * @default the node's `outputSchema`, else its tool's output schema
   */
  outputSchema?(node: WorkflowNode, toolOutput: (tool: string) => Schema | undefined): Schema | undefined;
}

/** A problem with one of a node's inputs, in the words every kind uses. */
export function inputProblem(node: WorkflowNode, at: string, key: string, why: string): Problem {
  return { code: 'invalid-input', nodeId: node.id, path: `${at}.inputs.${key}`, message: `node "${node.id}": ${why}` };
}

/** The problem for a required input that is missing, or nothing. */
export function requireInput(node: WorkflowNode, at: string, key: string, why: string): Problem[] {
  return node.inputs[key] === undefined ? [inputProblem(node, at, key, why)] : [];
}
