/** The editor: toolbar, left column, canvas, inspector, bottom panel, dialogs. */
import { useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { copySelectionTo, saveWorkflow, startEventPump, startValidation } from './app/actions';
import { graphStore, uiStore, useUi } from './app/stores';
import { parseClipboard } from './lib/graph-utils';
import { BottomPanel } from './components/BottomPanel';
import { CompareDialog } from './components/CompareDialog';
import { Canvas } from './components/Canvas';
import { ResizeHandle } from './components/common';
import { ApprovalDialog, ConnectionBanner, DiffBar, OpenDialog, Toasts } from './components/Dialogs';
import { Header } from './components/Header';
import { Inspector } from './components/Inspector';
import { ImportedMark } from './components/ImportedMark';
import { LayoutProgress } from './components/LayoutProgress';
import { GoalBox, Palette, RunHistory } from './components/LeftPanel';
import { SettingsDialog } from './components/SettingsDialog';
import { WorkflowPermissionsDialog } from './components/WorkflowPermissionsDialog';

/** Keys typed into fields belong to the field, not to the canvas shortcuts. */
function isEditable(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

function useShortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === 's') {
        e.preventDefault();
        void saveWorkflow();
        return;
      }
      if (isEditable(e.target) || uiStore.getState().dialog) return;
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        graphStore.getState().undo();
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        graphStore.getState().redo();
      }
    };
    // Copy/paste go through clipboard events: no permission prompt, and they work across windows.
    const onCopy = (e: ClipboardEvent) => {
      if (isEditable(e.target) || !e.clipboardData) return;
      if (copySelectionTo(e.clipboardData)) e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isEditable(e.target) || !e.clipboardData || uiStore.getState().pendingPlan) return;
      const payload = parseClipboard(e.clipboardData.getData('text/plain'));
      if (!payload) return;
      e.preventDefault();
      const ids = graphStore.getState().paste(payload);
      uiStore.getState().select(ids);
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('copy', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, []);
}

export function App() {
  const theme = useUi((s) => s.theme);
  const leftWidth = useUi((s) => s.leftWidth);
  const rightWidth = useUi((s) => s.rightWidth);
  const bottomHeight = useUi((s) => s.bottomHeight);
  const bottomOpen = useUi((s) => s.bottomOpen);
  const dialog = useUi((s) => s.dialog);
  useShortcuts();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  useEffect(() => {
    const stopEvents = startEventPump();
    const stopValidation = startValidation();
    return () => {
      stopEvents();
      stopValidation();
    };
  }, []);
  const setSize = uiStore.getState().setPanelSize;

  return (
    <ReactFlowProvider>
      <div
        className="app"
        style={{ gridTemplateColumns: `${leftWidth}px 0px 1fr 0px ${rightWidth}px`, gridTemplateRows: `auto auto 1fr ${bottomOpen ? `0px ${bottomHeight}px` : '0px auto'}` }}
      >
        <Header />
        <ConnectionBanner />
        <aside className="left" aria-label="Sidebar">
          <GoalBox />
          <Palette />
          <RunHistory />
        </aside>
        <ResizeHandle axis="x" value={leftWidth} sign={1} onResize={(px) => setSize('leftWidth', px)} label="Resize left panel" />
        <main className="center">
          <DiffBar />
          <Canvas />
          <ImportedMark />
          <LayoutProgress />
        </main>
        <ResizeHandle axis="x" value={rightWidth} sign={-1} onResize={(px) => setSize('rightWidth', px)} label="Resize inspector" />
        <Inspector />
        <div className="bottom-handle">{bottomOpen && <ResizeHandle axis="y" value={bottomHeight} sign={-1} onResize={(px) => setSize('bottomHeight', px)} label="Resize bottom panel" />}</div>
        <BottomPanel />
      </div>
      <Toasts />
      <ApprovalDialog />
      <WorkflowPermissionsDialog />
      {dialog === 'settings' && <SettingsDialog />}
      {dialog === 'open' && <OpenDialog />}
      {dialog === 'compare' && <CompareDialog />}
    </ReactFlowProvider>
  );
}
