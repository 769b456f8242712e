/**
 * Reruns use the definition the person sees. A rerun may carry the editor's document;
 * the nodes it reruns take their definitions from it, each change recorded as a
 * `node.definition` event, so a run's snapshot history is: the snapshot it started with,
 * then every definition a rerun replaced. The engine (to run and validate) and the
 * renderer (inspector, compare) derive the same revised graph from these functions.
 *
 * Imports nothing of ours but the contract; no Node APIs, no DOM.
 */
import { stableJson } from './stable-json';
import type { Workflow, WorkflowNode } from './workflow';

/** A node as it decides what runs: its place on the canvas is not part of it. */
export function runnableDefinition(node: WorkflowNode): WorkflowNode {
  const { position: _position, ...rest } = node;
  return rest;
}

/** Whether two definitions of a node run the same way (position ignored). */
export function sameDefinition(a: WorkflowNode, b: WorkflowNode): boolean {
  return stableJson(runnableDefinition(a)) === stableJson(runnableDefinition(b));
}

/** The fields a person changed between two definitions of a node: `inputs.name`, `retry`, `timeoutMs`, … */
export function changedFields(before: WorkflowNode, after: WorkflowNode): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof WorkflowNode>;
  keys.delete('position');
  keys.delete('id');
  for (const key of [...keys].sort()) {
    if (key === 'inputs') {
      const names = new Set([...Object.keys(before.inputs ?? {}), ...Object.keys(after.inputs ?? {})]);
      for (const name of [...names].sort()) {
        if (stableJson(before.inputs?.[name]) !== stableJson(after.inputs?.[name])) out.push(`inputs.${name}`);
      }
    } else if (stableJson(before[key]) !== stableJson(after[key])) out.push(key);
  }
  return out;
}

/**
 * Why the edited document cannot be rerun inside the run (its nodes or edges differ from
 * the run's graph), in words; undefined when only node definitions changed. A rerun keeps
 * the run's graph, so a new shape needs a full Run.
 */
export function shapeChange(run: Pick<Workflow, 'nodes' | 'edges'>, edited: Pick<Workflow, 'nodes' | 'edges'>): string | undefined {
  const runNodes = new Set(run.nodes.map((n) => n.id));
  const editedNodes = new Set(edited.nodes.map((n) => n.id));
  const edgeKey = (e: Workflow['edges'][number]) => `${e.source} → ${e.target}${e.branch ? ` (${e.branch})` : ''}`;
  const runEdges = new Set(run.edges.map(edgeKey));
  const editedEdges = new Set(edited.edges.map(edgeKey));
  const parts: string[] = [];
  const added = [...editedNodes].filter((id) => !runNodes.has(id));
  const removed = [...runNodes].filter((id) => !editedNodes.has(id));
  const linked = [...editedEdges].filter((k) => !runEdges.has(k));
  const unlinked = [...runEdges].filter((k) => !editedEdges.has(k));
  const list = (xs: string[]) => (xs.length > 3 ? `${xs.slice(0, 3).join(', ')} and ${xs.length - 3} more` : xs.join(', '));
  if (added.length) parts.push(`added ${list(added)}`);
  if (removed.length) parts.push(`removed ${list(removed)}`);
  if (linked.length) parts.push(`connected ${list(linked)}`);
  if (unlinked.length) parts.push(`disconnected ${list(unlinked)}`);
  const edgeTurned = run.nodes.some((n) => {
    const other = edited.nodes.find((m) => m.id === n.id);
    return other !== undefined && (other.kind === 'condition') !== (n.kind === 'condition');
  });
  if (edgeTurned) parts.push('a node became or stopped being a condition');
  return parts.length ? parts.join('; ') : undefined;
}

/** The run's graph with the definitions its reruns replaced (`definitions`: latest per node id). */
export function revisedSnapshot(snapshot: Workflow, definitions: Readonly<Record<string, readonly WorkflowNode[]>>): Workflow {
  let changed = false;
  const nodes = snapshot.nodes.map((n) => {
    const history = definitions[n.id];
    if (!history?.length) return n;
    changed = true;
    const latest = history[history.length - 1];
    return n.position ? { ...latest, position: n.position } : latest;
  });
  return changed ? { ...snapshot, nodes } : snapshot;
}
