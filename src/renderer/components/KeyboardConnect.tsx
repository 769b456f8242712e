/**
 * Connecting nodes without a mouse: focus a node on the canvas (Tab), press C, focus the
 * node it should feed and press C again (T or F picks a condition's branch). Esc cancels.
 * The hint line says what is going on, and is read out (role="status").
 */
import { useCallback, useEffect, useState, type KeyboardEvent } from 'react';
import { branchesFrom } from '../../shared/kinds';
import { graphStore, uiStore } from '../app/stores';

/** The canvas node wrapper React Flow focuses carries the node id in data-id. */
function focusedNodeId(target: EventTarget | null): string | undefined {
  const el = (target as HTMLElement | null)?.closest?.<HTMLElement>('.react-flow__node');
  return el?.dataset.id ?? undefined;
}

/** How long the result of a keyboard connection stays on screen. */
const HINT_MS = 5000;

const nameOf = (id: string) => graphStore.getState().workflow.nodes.find((n) => n.id === id)?.label || id;

export function useKeyboardConnect() {
  const [source, setSource] = useState<string | null>(null);
  const [message, setMessage] = useState('');

  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const id = focusedNodeId(e.target);
      const key = e.key.toLowerCase();
      if (key === 'escape' && source) {
        setSource(null);
        setMessage('Connection cancelled.');
        return;
      }
      if (!id || !(key === 'c' || (source && (key === 't' || key === 'f')))) return;
      e.preventDefault();
      if (!source || source === id) {
        const isCondition = branchesFrom(graphStore.getState().workflow.nodes.find((n) => n.id === id)?.kind);
        setSource(id);
        setMessage(`Connecting from ${nameOf(id)}: Tab to the node it feeds and press ${isCondition ? 'T (true branch) or F (false branch)' : 'C'}. Esc cancels.`);
        return;
      }
      const isCondition = branchesFrom(graphStore.getState().workflow.nodes.find((n) => n.id === source)?.kind);
      const branch = isCondition ? (key === 'f' ? 'false' : 'true') : undefined;
      const res = graphStore.getState().connect(source, id, branch);
      setSource(null);
      if (res.ok) setMessage(`Connected ${nameOf(source)} → ${nameOf(id)}${branch ? ` (${branch})` : ''}.`);
      else {
        setMessage(res.message);
        uiStore.getState().notify('error', res.message);
      }
    },
    [source],
  );

  // The outcome stays a few seconds; the instructions stay while a connection is being made.
  useEffect(() => {
    if (!message || source) return;
    const t = setTimeout(() => setMessage(''), HINT_MS);
    return () => clearTimeout(t);
  }, [message, source]);

  const hint = (
    <div className={`canvas-hint${message ? '' : ' empty'}`} role="status" data-testid="connect-hint">
      {message}
    </div>
  );
  return { onKeyDown, hint };
}
