/** Small building blocks shared by panels: JSON tree, markdown, value views, resize handle. */
import { memo, useCallback, useMemo, useState, type Ref } from 'react';
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { errorMessage } from '../api/client';

export const JsonTree = memo(function JsonTree({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }) {
  const [open, setOpen] = useState(depth < 2);
  const label = name !== undefined ? <span className="jt-key">{name}: </span> : null;
  if (value === null || typeof value !== 'object') {
    const cls = value === null ? 'jt-null' : `jt-${typeof value}`;
    const text = typeof value === 'string' ? JSON.stringify(value.length > 2000 ? `${value.slice(0, 2000)}…` : value) : String(value);
    return (
      <div className="jt-row">
        {label}
        <span className={cls}>{text}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const shown = entries.slice(0, 200);
  return (
    <div className="jt-row">
      <button type="button" className="jt-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? '▾' : '▸'}
      </button>
      {label}
      <span className="muted">{Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}</span>
      {open && (
        <div className="jt-children">
          {shown.map(([k, v]) => (
            <JsonTree key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > shown.length && <div className="muted">… {entries.length - shown.length} more</div>}
        </div>
      )}
    </div>
  );
});

/** Markdown rendered through DOMPurify: tool output is untrusted text. */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(text, { async: false }) as string), [text]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

/** Output/input viewer with JSON tree, text and markdown tabs. */
export function ValueView({ value, label }: { value: unknown; label: string }) {
  const asText = typeof value === 'string' ? value : typeof (value as any)?.text === 'string' ? (value as any).text : null;
  const [mode, setMode] = useState<'json' | 'text' | 'markdown'>('json');
  if (value === undefined) return <div className="muted">No {label.toLowerCase()} yet.</div>;
  return (
    <div className="value-view">
      <div className="seg" role="tablist" aria-label={`${label} view`}>
        {(['json', 'text', 'markdown'] as const).map((m) => (
          <button key={m} type="button" role="tab" aria-selected={mode === m} className={mode === m ? 'on' : ''} onClick={() => setMode(m)}>
            {m === 'json' ? 'JSON' : m === 'text' ? 'Text' : 'Markdown'}
          </button>
        ))}
      </div>
      {mode === 'json' && (
        <div className="json-tree">
          <JsonTree value={value} />
        </div>
      )}
      {mode === 'text' && <pre className="pre">{asText ?? JSON.stringify(value, null, 2)}</pre>}
      {mode === 'markdown' && <Markdown text={asText ?? '```json\n' + JSON.stringify(value, null, 2) + '\n```'} />}
    </div>
  );
}

/** Kept here for older imports; the dialog frame lives in Modal.tsx. */
export { Modal } from './Modal';

/** A drag handle that resizes a panel; `sign` says which way growing goes. */
export function ResizeHandle({ axis, value, sign, onResize, label }: { axis: 'x' | 'y'; value: number; sign: 1 | -1; onResize(px: number): void; label: string }) {
  const onPointerDown = (e: React.PointerEvent) => {
    e.preventDefault();
    const start = axis === 'x' ? e.clientX : e.clientY;
    const startValue = value;
    const move = (ev: PointerEvent) => onResize(startValue + sign * ((axis === 'x' ? ev.clientX : ev.clientY) - start));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      document.body.classList.remove('resizing');
    };
    document.body.classList.add('resizing');
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return (
    <div
      className={`resize-handle resize-${axis}`}
      role="separator"
      aria-orientation={axis === 'x' ? 'vertical' : 'horizontal'}
      aria-label={label}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 40 : 10;
        if (e.key === (axis === 'x' ? 'ArrowRight' : 'ArrowDown')) onResize(value + sign * step);
        if (e.key === (axis === 'x' ? 'ArrowLeft' : 'ArrowUp')) onResize(value - sign * step);
      }}
    />
  );
}

/**
 * The error a dialog shows, and `guard` to run a person's action with it: the old error goes
 * when the action starts, and what the action throws is shown in its place.
 */
export function useActionError(): { error: string | null; setError: (error: string | null) => void; guard: (action: () => Promise<void>) => Promise<void> } {
  const [error, setError] = useState<string | null>(null);
  const guard = useCallback(async (action: () => Promise<void>) => {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);
  return { error, setError, guard };
}

/**
 * A hidden file input a button opens through `ref` (`ref.current.click()`): the chosen file goes
 * to `onFile`, and the input is emptied so choosing the same file again is seen.
 */
export function HiddenFileInput({ ref, accept, testId, onFile }: { ref: Ref<HTMLInputElement>; accept: string; testId: string; onFile(file: File): void }) {
  return (
    <input
      ref={ref}
      type="file"
      accept={accept}
      hidden
      data-testid={testId}
      onChange={(e) => {
        const f = e.target.files?.[0];
        e.target.value = '';
        if (f) onFile(f);
      }}
    />
  );
}
