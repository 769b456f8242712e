/**
 * What the buttons do: each action calls AWE through `getAwe()` and updates the stores.
 * Errors become toasts that say what went wrong (with the validator's problems, if any).
 */
import { revisedSnapshot, type EngineEvent, type Position, type Problem, type RerunMode, type Workflow } from '../../contract';
import { AweCallError, errorMessage, getAwe } from '../api/client';
import { selectionToClipboard } from '../lib/graph-utils';
import { layoutWorkflow, withPositions } from '../lib/layout';
import { graphStore, runsStore, uiStore } from './stores';

/** One line per problem, naming the node or edge unless the message already does. */
const problemLines = (problems: readonly Problem[]) =>
  problems.map((p) => {
    const named = (p.nodeId && p.message.includes(`"${p.nodeId}"`)) || (p.edgeId && p.message.includes(`"${p.edgeId}"`));
    return `${named ? '' : p.nodeId ? `${p.nodeId}: ` : p.edgeId ? `edge ${p.edgeId}: ` : ''}${p.message}`;
  });

/**
 * An error message keyed by where its problem lies: the document's validation problems
 * (`workflow`, taken away when validation passes) or the action that failed (`key`,
 * taken away when that action next succeeds).
 */
function fail(what: string, e: unknown, key?: string) {
  const problems = e instanceof AweCallError ? e.problems : undefined;
  if (problems?.length) graphStore.getState().setProblems(problems);
  uiStore.getState().notify('error', `${what}: ${errorMessage(e)}`, problems ? problemLines(problems) : undefined, problems?.length ? 'workflow' : key);
}

/** The action behind `key` succeeded: its old error message no longer applies. */
const succeeded = (key: string) => uiStore.getState().resolve(key);

/** Feeds event batches to the runs store, one store update per animation frame, filling any gaps. */
export function startEventPump(schedule: (cb: () => void) => void = (cb) => requestAnimationFrame(cb)): () => void {
  let buffer: EngineEvent[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = buffer;
    buffer = [];
    const gaps = runsStore.getState().ingest(batch);
    for (const gap of gaps) {
      getAwe()
        .runsEvents(gap)
        .then(({ events }) => receive(events))
        .catch((e) => fail(`Could not fetch missed events of run ${gap.runId}`, e));
    }
  };
  const receive = (events: EngineEvent[]) => {
    if (!events.length) return;
    buffer.push(...events);
    if (!scheduled) {
      scheduled = true;
      schedule(flush);
    }
  };
  return getAwe().events.subscribe(receive);
}

let validateTimer: ReturnType<typeof setTimeout> | undefined;
/** Re-validates the document shortly after edits; the engine's validator is the single source of truth. */
export function startValidation(): () => void {
  return graphStore.subscribe((s, prev) => {
    if (s.workflow === prev.workflow) return;
    // Undo or delete can remove selected nodes; keep the selection to what exists.
    const ui = uiStore.getState();
    if (ui.selectedNodeIds.length || ui.selectedEdgeIds.length) {
      const nodes = new Set(s.workflow.nodes.map((n) => n.id));
      const edges = new Set(s.workflow.edges.map((e) => e.id));
      ui.select(ui.selectedNodeIds.filter((id) => nodes.has(id)), ui.selectedEdgeIds.filter((id) => edges.has(id)));
    }
    clearTimeout(validateTimer);
    validateTimer = setTimeout(async () => {
      const wf = graphStore.getState().workflow;
      if (!wf.nodes.length) {
        succeeded('workflow');
        return graphStore.getState().setProblems([]);
      }
      try {
        const { problems } = await getAwe().workflowsValidate({ workflow: wf });
        if (graphStore.getState().workflow !== wf) return;
        graphStore.getState().setProblems(problems);
        if (problems.length === 0) succeeded('workflow');
      } catch {
        // Offline: keep the last known problems; the banner says why.
      }
    }, 350);
  });
}

export async function plan(goal: string) {
  const text = goal.trim();
  if (!text) return uiStore.getState().notify('error', 'Type a goal first.');
  const ui = uiStore.getState();
  ui.setBusy('plan', true);
  try {
    const current = graphStore.getState().workflow;
    const res = await getAwe().plan({ goal: text, current: current.nodes.length ? current : undefined });
    const planned = withPositions({ ...res.workflow, goal: text });
    const diff = res.diff;
    if (current.nodes.length && diff && (diff.added.length || diff.removed.length || diff.changed.length)) {
      uiStore.getState().setPendingPlan({ workflow: planned, diff, explanation: res.explanation });
      uiStore.getState().setPlanNote({ workflowId: planned.id, goal: text, planner: res.planner, explanation: res.explanation });
    } else {
      graphStore.getState().load(planned, { undoable: true, dirty: true });
      runsStore.getState().watch(null);
      uiStore.getState().requestFit();
      uiStore.getState().setPlanNote({ workflowId: planned.id, goal: text, planner: res.planner, explanation: res.explanation });
      uiStore.getState().select([]);
      const steps = planned.nodes.length === 1 ? '1 step' : `${planned.nodes.length} steps`;
      uiStore.getState().notify('info', `Planned ${steps} with the ${res.planner} planner; the inspector says why.`);
    }
    succeeded('plan');
  } catch (e) {
    fail('Planning failed', e, 'plan');
  } finally {
    uiStore.getState().setBusy('plan', false);
  }
}

export function acceptPlan() {
  const p = uiStore.getState().pendingPlan;
  if (!p) return;
  graphStore.getState().load(p.workflow, { undoable: true, dirty: true });
  uiStore.getState().setPendingPlan(null);
  uiStore.getState().requestFit();
}

export function discardPlan() {
  uiStore.getState().setPendingPlan(null);
}

export async function runWorkflow() {
  const wf = graphStore.getState().workflow;
  if (!wf.nodes.length) return uiStore.getState().notify('error', 'Nothing to run: the workflow has no nodes.');
  uiStore.getState().setBusy('run', true);
  try {
    const { runId } = await getAwe().runsStart({ workflow: wf, inputs: {} });
    succeeded('run');
    succeeded('workflow');
    runsStore.getState().watch(runId, wf);
    // Events emitted before this answer arrived are already in the store; fetch any we missed.
    const last = runsStore.getState().views[runId]?.lastSeq ?? 0;
    const { events } = await getAwe().runsEvents({ runId, afterSeq: last });
    runsStore.getState().ingest(events);
    void refreshHistory();
  } catch (e) {
    fail('Could not start the run', e, 'run');
  } finally {
    uiStore.getState().setBusy('run', false);
  }
}

const watched = () => runsStore.getState().watchedRunId;

export async function cancelRun() {
  const runId = watched();
  if (!runId) return;
  try {
    await getAwe().runsCancel({ runId });
  } catch (e) {
    fail('Could not cancel the run', e);
  }
}

/** Reruns with the definitions the editor shows: the engine takes the rerun nodes' definitions from the document. */
export async function rerunNode(nodeId: string, mode: RerunMode) {
  const runId = watched();
  if (!runId) return uiStore.getState().notify('error', 'Run the workflow first; then nodes can be rerun.');
  runsStore.getState().travelTo(null);
  try {
    await getAwe().runsRerunNode({ runId, nodeId, mode, workflow: graphStore.getState().workflow });
    succeeded('rerun');
  } catch (e) {
    fail(`Could not rerun ${nodeId}`, e, 'rerun');
  }
}

export async function retryAllFailed() {
  const runId = watched();
  if (!runId) return;
  try {
    // Like a rerun: the failed nodes run with the definitions the person fixed in the editor.
    await getAwe().runsRetryFailed({ runId, workflow: graphStore.getState().workflow });
  } catch (e) {
    fail('Could not retry the failed nodes', e);
  }
}

export async function answerApproval(runId: string, nodeId: string, approved: boolean, comment?: string) {
  try {
    await getAwe().runsApprove({ runId, nodeId, approved, comment });
  } catch (e) {
    fail('Could not answer the approval request', e);
  }
}

export async function refreshHistory() {
  try {
    const { runs } = await getAwe().runsList({ limit: 100 });
    runsStore.getState().setHistory(runs);
  } catch {}
}

/** Opens a past run: its snapshot on the canvas, coloured by its final states. */
export async function openRun(runId: string) {
  try {
    const detail = await getAwe().runsGet({ runId });
    const snapshot = withPositions(detail.run.snapshot);
    runsStore.getState().loadRun(runId, snapshot, detail.events);
    // The canvas shows the graph as the run runs it now: the snapshot with the definitions its reruns used.
    const definitions = runsStore.getState().views[runId]?.definitions ?? {};
    graphStore.getState().load(revisedSnapshot(snapshot, definitions), { undoable: true });
    uiStore.getState().requestFit();
  } catch (e) {
    fail(`Could not open run ${runId}`, e);
  }
}

export async function saveWorkflow() {
  try {
    const { workflow } = await getAwe().workflowsSave({ workflow: graphStore.getState().workflow });
    graphStore.getState().markSaved(workflow);
    succeeded('save');
    uiStore.getState().notify('info', `Saved “${workflow.name}” (version ${workflow.version}).`);
  } catch (e) {
    fail('Could not save', e, 'save');
  }
}

export async function openWorkflow(id: string) {
  try {
    const { workflow } = await getAwe().workflowsGet({ id });
    graphStore.getState().load(withPositions(workflow), { undoable: true });
    uiStore.getState().requestFit();
    runsStore.getState().watch(null);
    uiStore.getState().openDialog(null);
  } catch (e) {
    fail('Could not open the workflow', e);
  }
}

/** Imports an `*.awe.json` file; a bad file changes nothing and lists the validator's problems. */
export async function importWorkflowFile(file: File) {
  try {
    const text = await file.text();
    const res = await getAwe().workflowsImport({ text, fileName: file.name });
    if (!res.ok || !res.workflow) {
      uiStore.getState().notify('error', `${file.name} was not imported: it has ${res.problems.length} problem(s).`, problemLines(res.problems), 'import');
      return;
    }
    graphStore.getState().load(withPositions(res.workflow), { undoable: true, dirty: true });
    uiStore.getState().requestFit();
    runsStore.getState().watch(null);
    succeeded('import');
    uiStore.getState().notify('info', `Imported “${res.workflow.name}”.`);
  } catch (e) {
    fail(`${file.name} was not imported`, e, 'import');
  }
}

/** Triggers a browser download of text or of a same-origin URL. */
export function download(fileName: string, source: { text: string; mime?: string } | { url: string }) {
  const a = document.createElement('a');
  let revoke: string | undefined;
  if ('url' in source) a.href = source.url;
  else {
    revoke = URL.createObjectURL(new Blob([source.text], { type: source.mime ?? 'application/json' }));
    a.href = revoke;
  }
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (revoke) setTimeout(() => URL.revokeObjectURL(revoke!), 10_000);
}

export async function exportWorkflow() {
  try {
    const { text, fileName } = await getAwe().workflowsExport({ workflow: graphStore.getState().workflow });
    download(fileName, { text });
  } catch (e) {
    fail('Could not export the workflow', e);
  }
}

function finishExport(res: { url?: string; path?: string | null; fileName: string }) {
  if (res.url) download(res.fileName, { url: res.url });
  else if (res.path) uiStore.getState().notify('info', `Saved ${res.path}`);
}

export async function exportArtifact(artifactId: string) {
  try {
    finishExport(await getAwe().artifactsExport({ artifactId }));
  } catch (e) {
    fail('Could not export the artifact', e);
  }
}

export async function exportRun(runId: string) {
  try {
    finishExport(await getAwe().runsExport({ runId }));
  } catch (e) {
    fail('Could not export the run', e);
  }
}

export function autoLayout(sizes?: ReadonlyMap<string, { width: number; height: number }>) {
  const wf = graphStore.getState().workflow;
  if (!wf.nodes.length) return;
  graphStore.getState().applyLayout(layoutWorkflow(wf, sizes));
  uiStore.getState().requestFit();
}

/** Writes the selection to a clipboard event (so it pastes into any workflow, in any window). */
export function copySelectionTo(data: DataTransfer): boolean {
  const ids = uiStore.getState().selectedNodeIds;
  if (!ids.length) return false;
  data.setData('text/plain', JSON.stringify(selectionToClipboard(graphStore.getState().workflow, ids)));
  return true;
}

export function newNodeAt(toolName: string, position: Position, kind: Workflow['nodes'][number]['kind'] = 'tool') {
  const id = graphStore.getState().addNode({ kind, tool: toolName, label: undefined, inputs: {}, position });
  uiStore.getState().select([id]);
  return id;
}
