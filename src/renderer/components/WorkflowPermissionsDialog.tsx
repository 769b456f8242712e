/**
 * Before a run: a workflow whose settings.allowTools asks to run tools without asking
 * gets that only after the person saw the list and allowed it (DESIGN.md §8). The
 * approval is remembered by AWE for this workflow id and exactly this list, so the
 * dialog comes back only when the request changes.
 */
import { useSyncExternalStore } from 'react';
import type { ToolInfo, Workflow } from '../../contract';
import { getAwe } from '../api/client';
import { useTools } from '../app/tools';
import { Modal } from './common';

interface Pending {
  workflowName: string;
  tools: string[];
  /** Tools the workflow's steps call: a requested tool outside it is marked as unused. */
  used: ReadonlySet<string>;
  answer(allowed: boolean): void;
}

let pending: Pending | null = null;
const listeners = new Set<() => void>();
const setPending = (p: Pending | null) => {
  pending = p;
  for (const l of listeners) l();
};
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/**
 * Resolves true when the run may start: the workflow requests nothing, its request is
 * already approved, or the person allowed it now (recorded by AWE). False when they
 * cancelled. Errors (e.g. a refused wildcard) reject, for the caller's toast.
 */
export async function confirmWorkflowPermissions(workflow: Workflow): Promise<boolean> {
  const { requested, approved } = await getAwe().workflowsAllowRequest({ workflow });
  if (requested.length === 0 || approved) return true;
  const allowed = await new Promise<boolean>((answer) => setPending({ workflowName: workflow.name, tools: requested, used: toolsUsedBy(workflow), answer }));
  if (!allowed) return false;
  await getAwe().workflowsApproveAllowRequest({ workflow, tools: requested });
  return true;
}

/** The tools the workflow's steps call (a map's per-item tool included). */
function toolsUsedBy(workflow: Workflow): Set<string> {
  return new Set(workflow.nodes.flatMap((n) => (n.tool ? [n.tool] : [])));
}

/** Whether a requested name (a tool, or `mcp.<server>.*`) covers a tool some step calls. */
function coversUsedTool(name: string, used: ReadonlySet<string>): boolean {
  if (!name.endsWith('.*')) return used.has(name);
  const prefix = name.slice(0, -1);
  return [...used].some((t) => t.startsWith(prefix));
}

export function WorkflowPermissionsDialog() {
  const request = useSyncExternalStore(subscribe, () => pending);
  if (!request) return null;
  const answer = (allowed: boolean) => {
    setPending(null);
    request.answer(allowed);
  };
  return (
    <Modal
      title="Allow this workflow’s tools?"
      onClose={() => answer(false)}
      footer={
        <>
          <button type="button" className="btn" onClick={() => answer(false)}>
            Cancel
          </button>
          <button type="button" className="btn primary" onClick={() => answer(true)}>
            Allow and run
          </button>
        </>
      }
    >
      <p>
        “{request.workflowName}” asks to run these tools without asking first. Allow them only if you trust where this workflow came from; AWE
        remembers your answer for this workflow and asks again if the list changes.
      </p>
      <ul aria-label="Requested tools" className="permission-tools">
        {request.tools.map((name) => (
          <RequestedTool key={name} name={name} used={coversUsedTool(name, request.used)} />
        ))}
      </ul>
    </Modal>
  );
}

function RequestedTool({ name, used }: { name: string; used: boolean }) {
  const tool: ToolInfo | undefined = useTools((s) => s.byName.get(name));
  const wildcard = name.endsWith('.*');
  return (
    <li className="row">
      <code>{name}</code>
      {tool && <span className="muted small">{tool.title}</span>}
      {tool && <span className={`effect effect-${tool.effects}`}>{tool.effects}</span>}
      {!tool && wildcard && <span className="muted small">every tool of this MCP server</span>}
      {!tool && !wildcard && <span className="permission-warn small">not installed here</span>}
      {!used && <span className="permission-warn small">no step of this workflow uses it</span>}
    </li>
  );
}
