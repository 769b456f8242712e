/**
 * Replanning against a graph the person may have edited: what changed between two
 * workflows, and a merge that keeps hand-made nodes unless the planner explicitly
 * proposes removing them. The UI shows the diff before it is applied.
 */
import { stableJson, type Edge, type Workflow, type WorkflowDiff, type WorkflowNode } from '../../contract';

/** Added / removed / changed node ids (same id, different content; position ignored). */
export function diffWorkflows(before: Workflow, after: Workflow): WorkflowDiff {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const added = after.nodes.filter((n) => !old.has(n.id)).map((n) => n.id);
  const removed = before.nodes.filter((n) => !now.has(n.id)).map((n) => n.id);
  const changed = after.nodes.filter((n) => old.has(n.id) && nodeKey(old.get(n.id)!) !== nodeKey(n)).map((n) => n.id);
  // A node whose wiring changed is changed too: it will read different upstream outputs.
  const inEdges = (w: Workflow, id: string) =>
    w.edges
      .filter((e) => e.target === id)
      .map((e) => `${e.source}:${e.branch ?? ''}`)
      .sort()
      .join(',');
  for (const n of after.nodes) {
    if (old.has(n.id) && !changed.includes(n.id) && inEdges(before, n.id) !== inEdges(after, n.id)) changed.push(n.id);
  }
  return { added, removed, changed, kept: [] };
}

/** A node's content without its canvas position, with keys in a stable order. */
function nodeKey(node: WorkflowNode): string {
  const { position: _position, ...rest } = node;
  return stableJson(rest);
}

export interface ReplanMerge {
  workflow: Workflow;
  diff: WorkflowDiff;
}

/**
 * Merges a proposed plan into the current workflow. Nodes of `current` that the proposal
 * does not mention are kept (with their edges) unless listed in `removals`; nodes with
 * the same id take the proposed version and keep their canvas position. The document
 * keeps the current id, name and version; its goal becomes the proposal's.
 */
export function mergeReplan(current: Workflow, proposed: Workflow, removals: readonly string[] = []): ReplanMerge {
  const proposedIds = new Set(proposed.nodes.map((n) => n.id));
  const remove = new Set(removals);
  const keptNodes = current.nodes.filter((n) => !proposedIds.has(n.id) && !remove.has(n.id));
  const kept = keptNodes.map((n) => n.id);
  const positions = new Map(current.nodes.map((n) => [n.id, n.position]));

  const nodes: WorkflowNode[] = [
    ...proposed.nodes.map((n) => (n.position || !positions.get(n.id) ? n : { ...n, position: positions.get(n.id) })),
    ...keptNodes,
  ];
  const present = new Set(nodes.map((n) => n.id));
  const keptSet = new Set(kept);

  // The person's wiring to and from kept nodes survives; wiring between proposed nodes is the proposal's.
  const edges: Edge[] = [...proposed.edges];
  const edgeIds = new Set(edges.map((e) => e.id));
  const wired = new Set(edges.map((e) => `${e.source}>${e.target}`));
  for (const e of current.edges) {
    if (!(keptSet.has(e.source) || keptSet.has(e.target))) continue;
    if (!present.has(e.source) || !present.has(e.target) || wired.has(`${e.source}>${e.target}`)) continue;
    let id = e.id;
    for (let i = 2; edgeIds.has(id); i++) id = `${e.id}-${i}`;
    edgeIds.add(id);
    wired.add(`${e.source}>${e.target}`);
    edges.push({ ...e, id });
  }

  const workflow: Workflow = {
    ...proposed,
    id: current.id,
    name: current.name,
    version: current.version,
    goal: proposed.goal ?? current.goal,
    nodes,
    edges,
    settings: {
      ...current.settings,
      ...proposed.settings,
      inputs: current.settings.inputs || proposed.settings.inputs ? { ...current.settings.inputs, ...proposed.settings.inputs } : undefined,
    },
  };
  if (workflow.settings.inputs === undefined) delete workflow.settings.inputs;
  const diff = diffWorkflows(current, workflow);
  return { workflow, diff: { ...diff, kept } };
}
