/**
 * The workflow as panels read it: everything but where nodes sit on the canvas.
 *
 * A drag moves a node every frame, and each move is a new workflow object. Panels that
 * read the whole document (the inspector's forms look up other nodes for references)
 * would re-render per frame; this selector hands them the same object until something
 * other than a position changes. Its node positions may be stale: read positions from
 * the graph store itself, and edit through the store's actions, never from this object.
 */
import type { Workflow, WorkflowNode } from '../../contract';

/** A selector with its own memory: one per component (`useState(workflowShapeSelector)[0]`). */
export function workflowShapeSelector(): (s: { workflow: Workflow }) => Workflow {
  let lastIn: Workflow | null = null;
  let lastOut: Workflow | null = null;
  return ({ workflow }) => {
    if (workflow !== lastIn) {
      if (!lastOut || !sameButPositions(lastOut, workflow)) lastOut = workflow;
      lastIn = workflow;
    }
    return lastOut!;
  };
}

/** Whether two documents differ at most in node positions (shallow per node; edits replace what they change). */
export function sameButPositions(a: Workflow, b: Workflow): boolean {
  if (a === b) return true;
  if (a.edges !== b.edges || a.nodes.length !== b.nodes.length) return false;
  if (!shallowEqual(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, 'nodes')) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i];
    const y = b.nodes[i];
    if (x !== y && !shallowEqual(x as Record<keyof WorkflowNode, unknown>, y as Record<keyof WorkflowNode, unknown>, 'position')) return false;
  }
  return true;
}

function shallowEqual<T extends Record<string, unknown>>(a: T, b: T, except: keyof T): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (k !== except && a[k] !== b[k]) return false;
  return true;
}
