/**
 * What the buttons do: each action calls AWE through `getAwe()` and updates the stores.
 * Errors become toasts that say what went wrong (with the validator's problems, if any).
 */
import { MAX_RUN_BUNDLE_BYTES, revisedSnapshot, type EngineEvent, type Position, type Problem, type RerunMode, type Workflow } from '../../contract';
import { problemLines } from '../../shared/problems';
import { AweCallError, errorMessage, getAwe } from '../api/client';
import { confirmWorkflowPermissions } from '../components/WorkflowPermissionsDialog';
import { selectionToClipboard } from '../lib/graph-utils';
import { throttle } from '../lib/throttle';
import { withPositions } from './layout';
import { emptyWorkflow, freshWorkflowId } from '../stores/graph';
import type { NameMode, PlanChoice } from '../stores/session';
import { graphStore, runsStore, sessionStore, uiStore } from './stores';

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

/**
 * How often a busy stream of events reaches the runs store (ms). Events after a quiet spell are
 * applied on the next frame; while they keep coming, at most this often: every store update
 * re-renders what follows the run (header, canvas, lists), and doing that on every frame of a
 * 2,000-node run missed frames (bench/ui.ts: 3–9 of ~70 frames over 33 ms, 0–2 at 100 ms).
 * A tenth of a second still reads as at once.
 */
export const EVENT_APPLY_MS = 100;

/** Feeds event batches to the runs store (see EVENT_APPLY_MS), filling any gaps. */
export function startEventPump(nextFrame: (cb: () => void) => void = (cb) => requestAnimationFrame(cb), intervalMs = EVENT_APPLY_MS): () => void {
  let buffer: EngineEvent[] = [];
  const flush = () => {
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
  const apply = throttle(() => nextFrame(flush), intervalMs);
  const receive = (events: EngineEvent[]) => {
    if (!events.length) return;
    buffer.push(...events);
    apply.request();
  };
  const off = getAwe().events.subscribe(receive);
  return () => {
    off();
    apply.cancel();
  };
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

/**
 * Plans a goal. On a canvas that already has steps the person chooses: replace (a new,
 * unsaved workflow with its own id; Undo brings the old graph back) or extend (the replan
 * diff, shown before it is applied). Two unrelated graphs are never merged silently.
 */
export async function plan(goal: string) {
  const text = goal.trim();
  if (!text) return uiStore.getState().notify('error', 'Type a goal first.');
  const g = graphStore.getState();
  const current = g.workflow;
  let choice: PlanChoice = 'replace';
  if (current.nodes.length) {
    choice = await sessionStore.getState().askPlanChoice(text, current.nodes.length, current.name, g.dirty);
    if (!choice) return;
  }
  const ui = uiStore.getState();
  ui.setBusy('plan', true);
  try {
    const extend = choice === 'extend';
    const res = await getAwe().plan({ goal: text, current: extend ? current : undefined });
    if (extend) {
      // The replan keeps this document's identity: it is an edit of the open workflow.
      const planned = await withPositions({ ...res.workflow, id: current.id, name: current.name, version: current.version, goal: text });
      uiStore.getState().setPlanNote({ workflowId: planned.id, goal: text, planner: res.planner, explanation: res.explanation });
      const diff = res.diff;
      if (diff && (diff.added.length || diff.removed.length || diff.changed.length)) {
        uiStore.getState().setPendingPlan({ workflow: planned, diff, explanation: res.explanation });
        succeeded('plan');
        return;
      }
      graphStore.getState().load(planned, { undoable: true, dirty: true });
    } else {
      const planned = await withPositions({ ...res.workflow, id: freshWorkflowId(res.workflow.id), goal: text });
      // The folder the person chose for this canvas belongs to the planned workflow too
      // (it gets a new id); set it before loading so the workspace sync finds it.
      const ws = sessionStore.getState().workspace;
      if (ws && ws.workflowId === current.id && !ws.isDefault) await getAwe().workspacesSet({ workflowId: planned.id, path: ws.path });
      graphStore.getState().load(planned, { undoable: true, dirty: true });
      runsStore.getState().watch(null);
    }
    const planned = graphStore.getState().workflow;
    uiStore.getState().requestFit();
    uiStore.getState().setPlanNote({ workflowId: planned.id, goal: text, planner: res.planner, explanation: res.explanation });
    uiStore.getState().select([]);
    const steps = planned.nodes.length === 1 ? '1 step' : `${planned.nodes.length} steps`;
    uiStore.getState().notify('info', `Planned ${steps} with the ${res.planner} planner; the inspector says why.`);
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

/** Why the workflow on the canvas cannot run now, or undefined when it can. */
export function whyNotRunnable(wf = graphStore.getState().workflow, problems = graphStore.getState().problems): string | undefined {
  if (!wf.nodes.length) return 'Nothing to run: the workflow has no nodes.';
  if (problems.length) return `Fix the ${problems.length === 1 ? 'problem' : `${problems.length} problems`} listed in the inspector before running.`;
  return undefined;
}

/** Runs the workflow on the canvas, asking first for the inputs it declares. */
export async function runWorkflow() {
  const reason = whyNotRunnable();
  if (reason) return uiStore.getState().notify('error', reason);
  let inputs: Record<string, unknown> = {};
  if (Object.keys(graphStore.getState().workflow.settings.inputs ?? {}).length) {
    const answer = await sessionStore.getState().askRunInputs();
    if (!answer) return;
    inputs = answer;
  }
  const wf = graphStore.getState().workflow;
  uiStore.getState().setBusy('run', true);
  try {
    if (!(await confirmWorkflowPermissions(wf))) return;
    const { runId } = await getAwe().runsStart({ workflow: wf, inputs });
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

/** Same steps and wiring, wherever the nodes sit. */
function sameGraph(a: Workflow, b: Workflow): boolean {
  const strip = (w: Workflow) => JSON.stringify([w.id, w.nodes.map(({ position: _p, ...n }) => n), w.edges, w.settings]);
  return strip(a) === strip(b);
}

/** Opens a past run: its snapshot on the canvas, coloured by its final states. */
export async function openRun(runId: string) {
  try {
    const detail = await getAwe().runsGet({ runId });
    const snapshot = await withPositions(detail.run.snapshot);
    // Opening the run of the graph on the canvas loses nothing; an older snapshot would.
    if (!sameGraph(snapshot, graphStore.getState().workflow) && !(await confirmDiscard('open this run'))) return;
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
    const { workflow, problems } = await getAwe().workflowsSave({ workflow: graphStore.getState().workflow, draft: true });
    graphStore.getState().markSaved(workflow);
    succeeded('save');
    uiStore.getState().notify('info', `Saved “${workflow.name}” (version ${workflow.version})${draftNote(problems)}.`);
  } catch (e) {
    fail('Could not save', e, 'save');
  }
}

/** Said after saving a document that still has problems: it is kept, but cannot run yet. */
const draftNote = (problems: readonly Problem[]) =>
  problems.length ? ` as a draft with ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; fix ${problems.length === 1 ? 'it' : 'them'} to run it` : '';

/** True when there are no unsaved changes, or the person agreed to lose them to `action`. */
export async function confirmDiscard(action: string): Promise<boolean> {
  const g = graphStore.getState();
  if (!g.dirty) return true;
  return sessionStore.getState().askDiscard(action, g.workflow.name);
}

/** Replaces the document with another one (not undoable across identities: it was asked). */
async function openDocument(workflow: Workflow, opts: { dirty?: boolean } = {}) {
  graphStore.getState().load(await withPositions(workflow), { undoable: true, dirty: opts.dirty });
  uiStore.getState().select([]);
  uiStore.getState().setPendingPlan(null);
  uiStore.getState().requestFit();
  runsStore.getState().watch(null);
}

export async function openWorkflow(id: string) {
  if (!(await confirmDiscard('open another workflow'))) return;
  try {
    const { workflow } = await getAwe().workflowsGet({ id });
    uiStore.getState().openDialog(null);
    await openDocument(workflow);
  } catch (e) {
    fail('Could not open the workflow', e);
  }
}

/** An empty, unsaved workflow with an id of its own. */
export async function newWorkflow() {
  if (!(await confirmDiscard('start a new workflow'))) return;
  await openDocument(emptyWorkflow());
}

/**
 * Save as (saved at once under a new id and name) or Duplicate (an unsaved copy with a
 * new id). The copy keeps the workspace folder chosen for the original.
 */
export async function copyWorkflow(mode: Exclude<NameMode, 'rename'>) {
  const from = graphStore.getState().workflow;
  const name = await sessionStore.getState().askName(mode, `${from.name} (copy)`.slice(0, 200));
  if (!name) return;
  const copy: Workflow = { ...from, id: freshWorkflowId(name), name, version: 1 };
  try {
    const ws = sessionStore.getState().workspace;
    if (ws && ws.workflowId === from.id && !ws.isDefault) await getAwe().workspacesSet({ workflowId: copy.id, path: ws.path });
    if (mode === 'duplicate') {
      await openDocument(copy, { dirty: true });
      uiStore.getState().notify('info', `“${name}” is a copy of “${from.name}”; it is not saved yet.`);
      return;
    }
    const { workflow, problems } = await getAwe().workflowsSave({ workflow: copy, draft: true });
    graphStore.getState().load({ ...copy, version: workflow.version }, { undoable: true });
    uiStore.getState().notify('info', `Saved as “${workflow.name}”${draftNote(problems)}; “${from.name}” is unchanged.`);
  } catch (e) {
    fail(mode === 'duplicate' ? 'Could not duplicate' : 'Could not save as a new workflow', e);
  }
}

export async function renameWorkflow() {
  const name = await sessionStore.getState().askName('rename', graphStore.getState().workflow.name);
  if (name) graphStore.getState().rename(name);
}

/**
 * Opens an `*.awe.json` file without saving it. A file with problems opens as a draft:
 * broken nodes outlined, problems listed, Run disabled until they are fixed. A file that
 * is not a workflow at all changes nothing and says why.
 */
export async function importWorkflowFile(file: File) {
  try {
    const text = await file.text();
    const res = await getAwe().workflowsImport({ text, fileName: file.name });
    if (!res.workflow) {
      uiStore.getState().notify('error', `${file.name} was not imported: ${res.problems.length === 1 ? 'it is not a workflow' : `it has ${res.problems.length} problems`}.`, problemLines(res.problems), 'import');
      return;
    }
    if (!(await confirmDiscard(`open ${file.name}`))) return;
    let workflow = res.workflow;
    // A saved workflow with the same id is someone else's work: open the file as a copy.
    const clash = await getAwe()
      .workflowsGet({ id: workflow.id })
      .then(() => true)
      .catch(() => false);
    if (clash) workflow = { ...workflow, id: freshWorkflowId(workflow.id) };
    await openDocument(workflow, { dirty: true });
    succeeded('import');
    graphStore.getState().setProblems(res.problems);
    const draft = res.problems.length
      ? ` as a draft with ${res.problems.length === 1 ? 'a problem' : `${res.problems.length} problems`} (listed in the inspector); fix ${res.problems.length === 1 ? 'it' : 'them'} to run it`
      : '';
    uiStore.getState().notify('info', `Opened “${workflow.name}”${draft}. Nothing is saved until you save${clash ? ' (as a copy: a saved workflow already has its id)' : ''}.`);
  } catch (e) {
    fail(`${file.name} was not imported`, e, 'import');
  }
}

/** Loads the workspace of the workflow on the canvas whenever its id changes. */
export function startWorkspaceSync(): () => void {
  const load = (workflowId: string) => {
    getAwe()
      .workspacesGet({ workflowId })
      .then((w) => {
        if (graphStore.getState().workflow.id === workflowId) sessionStore.getState().setWorkspace({ ...w, workflowId });
      })
      .catch(() => undefined);
  };
  load(graphStore.getState().workflow.id);
  return graphStore.subscribe((s, prev) => {
    if (s.workflow.id !== prev.workflow.id) load(s.workflow.id);
  });
}

/** Remembers `path` as the workspace of the workflow on the canvas; the error, if the folder cannot be used. */
export async function chooseWorkspace(path: string): Promise<string | undefined> {
  const workflowId = graphStore.getState().workflow.id;
  try {
    const w = await getAwe().workspacesSet({ workflowId, path });
    sessionStore.getState().setWorkspace({ ...w, workflowId });
    return undefined;
  } catch (e) {
    return errorMessage(e);
  }
}

/** The native folder dialog (desktop); the chosen folder, or null. */
export async function browseForFolder(): Promise<string | null> {
  const { path } = await getAwe().workspacesBrowse({});
  return path;
}

/** Reload or closing the window asks first while there are unsaved changes. */
export function startUnsavedGuard(): () => void {
  const onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (!graphStore.getState().dirty) return;
    e.preventDefault();
    // Older Chromium (and Electron's will-prevent-unload) look at returnValue.
    e.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  return () => window.removeEventListener('beforeunload', onBeforeUnload);
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

/** base64 of bytes, in slices: one String.fromCharCode call per byte array would overflow the stack. */
function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Opens a run bundle (Export run, here or on a team server) as a read-only run, and shows it. */
export async function importRunFile(file: File) {
  // Refused before it is read: the engine would refuse it after the whole upload.
  if (file.size > MAX_RUN_BUNDLE_BYTES) {
    // Rounded up: a file a byte over the limit must not read as the limit itself.
    const size = (Math.ceil((file.size / 1024 / 1024) * 10) / 10).toFixed(1);
    uiStore.getState().notify('error', `Could not import ${file.name}: it is ${size} MB, and a run bundle can be at most ${MAX_RUN_BUNDLE_BYTES / 1024 / 1024} MB.`, undefined, 'import-run');
    return;
  }
  try {
    const bundle = toBase64(new Uint8Array(await file.arrayBuffer()));
    const { runId, originalRunId } = await getAwe().runsImport({ bundle, fileName: file.name });
    succeeded('import-run');
    await refreshHistory();
    const renamed = runId === originalRunId ? '' : ` as run ${runId} (its id ${originalRunId} is taken here)`;
    uiStore.getState().notify('info', `Imported ${file.name}${renamed}. It is read-only here.`);
    await openRun(runId);
  } catch (e) {
    fail(`Could not import ${file.name}`, e, 'import-run');
  }
}

export { autoLayout, cancelLayout } from './layout';

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
