/**
 * The questions the editor asks about the open document: discard unsaved changes,
 * replace or extend on planning, a name for Save as / Duplicate / Rename, run inputs and
 * the workspace folder. Rendered into document.body, above everything else.
 */
import { useState } from 'react';
import { createPortal } from 'react-dom';
import { useSession } from '../app/stores';
import { Modal } from './common';
import { RunInputsDialog } from './RunInputsDialog';
import { WorkspaceDialog } from './WorkspaceDialog';

export function DocumentDialogs() {
  const workspace = useSession((s) => s.workspaceDialog);
  const runInputs = useSession((s) => !!s.runInputs);
  return createPortal(
    <>
      {workspace && <WorkspaceDialog />}
      {runInputs && <RunInputsDialog />}
      <PlanChoiceDialog />
      <NameDialog />
      <ConfirmDiscardDialog />
    </>,
    document.body,
  );
}

export function ConfirmDiscardDialog() {
  const q = useSession((s) => s.discard);
  if (!q) return null;
  return (
    <Modal
      title="Discard unsaved changes?"
      onClose={() => q.resolve(false)}
      footer={
        <>
          <button type="button" className="btn" onClick={() => q.resolve(false)}>
            Keep editing
          </button>
          <button type="button" className="btn danger" onClick={() => q.resolve(true)}>
            Discard changes
          </button>
        </>
      }
    >
      <p className="dialog-lead">
        “{q.name}” has changes that are not saved. To {q.action}, they will be lost.
      </p>
    </Modal>
  );
}

export function PlanChoiceDialog() {
  const q = useSession((s) => s.planChoice);
  if (!q) return null;
  return (
    <Modal
      title="The canvas already has a workflow"
      onClose={() => q.resolve(null)}
      footer={
        <>
          <button type="button" className="btn" onClick={() => q.resolve(null)}>
            Cancel
          </button>
          <button type="button" className="btn" onClick={() => q.resolve('extend')}>
            Extend
          </button>
          <button type="button" className="btn primary" onClick={() => q.resolve('replace')}>
            Replace
          </button>
        </>
      }
    >
      <p className="dialog-lead">
        “{q.name}” has {q.steps} {q.steps === 1 ? 'step' : 'steps'}. Plan “{q.goal}” as:
      </p>
      <ul className="choice-list">
        <li>
          <strong>Replace</strong> — a new workflow from this plan; “{q.name}” stays as it was saved
          {q.dirty ? ' (its unsaved changes are dropped; Undo brings them back)' : ''}.
        </li>
        <li>
          <strong>Extend</strong> — add the plan to “{q.name}”; you review the added, changed and removed steps before they apply.
        </li>
      </ul>
    </Modal>
  );
}

const NAME_TITLES = { 'save-as': 'Save as a new workflow', duplicate: 'Duplicate workflow', rename: 'Rename workflow' } as const;
const NAME_ACTIONS = { 'save-as': 'Save', duplicate: 'Duplicate', rename: 'Rename' } as const;

export function NameDialog() {
  const q = useSession((s) => s.naming);
  if (!q) return null;
  return <NameForm key={`${q.mode}:${q.initial}`} mode={q.mode} initial={q.initial} resolve={q.resolve} />;
}

function NameForm({ mode, initial, resolve }: { mode: keyof typeof NAME_TITLES; initial: string; resolve(name: string | null): void }) {
  const [name, setName] = useState(initial);
  const trimmed = name.trim();
  const submit = () => trimmed && resolve(trimmed.slice(0, 200));
  return (
    <Modal
      title={NAME_TITLES[mode]}
      onClose={() => resolve(null)}
      footer={
        <>
          <button type="button" className="btn" onClick={() => resolve(null)}>
            Cancel
          </button>
          <button type="button" className="btn primary" disabled={!trimmed} onClick={submit}>
            {NAME_ACTIONS[mode]}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor="workflow-new-name" className="field-label">
          Name
        </label>
        <input id="workflow-new-name" type="text" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} onFocus={(e) => e.target.select()} />
      </form>
      {mode !== 'rename' && <p className="muted small">{mode === 'save-as' ? 'Saved now under a new id; the original stays as it is.' : 'An unsaved copy with a new id; save it when you are ready.'}</p>}
    </Modal>
  );
}
