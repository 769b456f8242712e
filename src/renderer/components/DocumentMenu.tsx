/**
 * The header's "More" menu: the document actions used less often than New / Open / Save /
 * Save as (Duplicate, Rename, Import, Export), and below 1280 px New, Open and Save as too,
 * so the header stays one row beside a live run. A menu button pattern: Enter/Space/↓ open it on the first item, arrows move,
 * Esc closes and returns focus to the button.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { copyWorkflow, exportWorkflow, importWorkflowFile, newWorkflow, renameWorkflow } from '../app/actions';
import { uiStore, useGraph } from '../app/stores';
import { HiddenFileInput } from './common';

export function DocumentMenu() {
  const hasNodes = useGraph((s) => s.workflow.nodes.length > 0);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // Items the header shows itself at this width are hidden here (narrow-only), and skipped.
  const items = () => [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)') ?? [])].filter((el) => el.checkVisibility());
  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const onDown = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const run = (action: () => void) => () => {
    close(false);
    action();
  };
  const onMenuKey = (e: KeyboardEvent) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (at + (e.key === 'ArrowDown' ? 1 : -1) + list.length) % list.length;
      list[next]?.focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      list[e.key === 'Home' ? 0 : list.length - 1]?.focus();
    } else if (e.key === 'Tab') close(false);
  };

  return (
    <div className="doc-menu">
      <button
        ref={button}
        type="button"
        className="icon-btn"
        aria-label="More workflow actions"
        title="More: duplicate, rename, import, export"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        ⋯
      </button>
      {open && (
        <div ref={menu} className="doc-menu-list" role="menu" aria-label="Workflow actions" onKeyDown={onMenuKey}>
          {/* New, Open and Save as live here when the header is too narrow to show them. */}
          <button type="button" role="menuitem" tabIndex={-1} className="narrow-only" onClick={run(() => void newWorkflow())}>
            New workflow
          </button>
          <button type="button" role="menuitem" tabIndex={-1} className="narrow-only" onClick={run(() => uiStore.getState().openDialog('open'))}>
            Open…
          </button>
          <button type="button" role="menuitem" tabIndex={-1} className="narrow-only" disabled={!hasNodes} onClick={run(() => void copyWorkflow('save-as'))}>
            Save as…
          </button>
          <button type="button" role="menuitem" tabIndex={-1} disabled={!hasNodes} onClick={run(() => void copyWorkflow('duplicate'))}>
            Duplicate
          </button>
          <button type="button" role="menuitem" tabIndex={-1} onClick={run(() => void renameWorkflow())}>
            Rename…
          </button>
          <button type="button" role="menuitem" tabIndex={-1} onClick={run(() => fileInput.current?.click())}>
            Import .awe.json…
          </button>
          <button type="button" role="menuitem" tabIndex={-1} disabled={!hasNodes} onClick={run(() => void exportWorkflow())}>
            Export .awe.json
          </button>
        </div>
      )}
      <HiddenFileInput ref={fileInput} accept=".json,.awe.json,application/json" testId="import-file" onFile={(f) => void importWorkflowFile(f)} />
    </div>
  );
}
