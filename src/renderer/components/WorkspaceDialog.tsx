/**
 * Choosing the workspace folder of the open workflow: the folder its runs read and write.
 * A path typed by hand everywhere; the native folder dialog inside the desktop app.
 */
import { useState } from 'react';
import { browseForFolder, chooseWorkspace } from '../app/actions';
import { sessionStore, useGraph, useSession } from '../app/stores';
import { getAwe } from '../api/client';
import { Modal } from './common';

/** The last part of a path, for the header button. */
export function folderName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

export function WorkspaceDialog() {
  const workspace = useSession((s) => s.workspace);
  const name = useGraph((s) => s.workflow.name);
  const [path, setPath] = useState(workspace && !workspace.isDefault ? workspace.path : '');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const close = () => sessionStore.getState().openWorkspaceDialog(false);
  const desktop = getAwe().platform === 'electron';

  const use = async (folder: string) => {
    setBusy(true);
    const problem = await chooseWorkspace(folder);
    setBusy(false);
    if (problem) setError(problem);
    else close();
  };
  const browse = async () => {
    try {
      const picked = await browseForFolder();
      if (picked) {
        setPath(picked);
        await use(picked);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <Modal
      title="Workspace folder"
      onClose={close}
      footer={
        <>
          {workspace && !workspace.isDefault && (
            <button type="button" className="btn ghost" onClick={() => void use('')} disabled={busy}>
              Use Samples
            </button>
          )}
          <span className="spacer" />
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="button" className="btn primary" disabled={busy || !path.trim()} onClick={() => void use(path)}>
            Use this folder
          </button>
        </>
      }
    >
      <p className="small dialog-lead">
        Runs of “{name}” read and write files in this folder; file steps cannot reach outside it. The choice is remembered for this workflow on this
        machine and is not written into the workflow file.
      </p>
      {workspace && (
        <div className="kv">
          <span className="muted">Now</span>
          <span>
            <code className="workspace-path" data-testid="workspace-current">
              {workspace.path}
            </code>
            {workspace.isDefault && <span className="muted small"> — the Samples workspace, with example data</span>}
          </span>
        </div>
      )}
      <form
        className="workspace-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void use(path);
        }}
      >
        <label htmlFor="workspace-path" className="field-label">
          Folder path
        </label>
        <div className="row">
          <input
            id="workspace-path"
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder={desktop ? 'Choose a folder, or type its full path' : 'Type the full path, e.g. /home/ada/data'}
            value={path}
            aria-invalid={!!error}
            aria-describedby={error ? 'workspace-error' : undefined}
            onChange={(e) => {
              setPath(e.target.value);
              setError(undefined);
            }}
          />
          {desktop && (
            <button type="button" className="btn" onClick={() => void browse()} disabled={busy}>
              Choose folder…
            </button>
          )}
        </div>
        {error && (
          <div id="workspace-error" className="field-error" role="alert">
            {error}
          </div>
        )}
      </form>
    </Modal>
  );
}
