/**
 * A text input or textarea that offers `{{reference}}` completions after `{{`, takes a
 * reference dragged from the inspector's list, and keeps the focus while it does both:
 * the list is navigated with the arrow keys from inside the field (aria-activedescendant),
 * and options are picked on mousedown without blurring the field.
 */
import { useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { matchSuggestions, type Suggestion } from '../lib/references';

/** Drag type of a reference chip; the payload is the reference without braces. */
export const REFERENCE_DRAG_TYPE = 'application/awe-reference';

/** The field a reference chip's click inserts into: the last text field that had the focus. */
let lastFocused: { insert(ref: string): void; isConnected(): boolean } | null = null;

/** Inserts `{{ref}}` into the last focused reference field; false when there is none. */
export function insertIntoLastField(ref: string): boolean {
  if (!lastFocused?.isConnected()) return false;
  lastFocused.insert(ref);
  return true;
}

const OPEN_REFERENCE = /\{\{\s*([\w.$[\]-]*)$/;

/** A textarea grows with its lines up to this many (a planned JSONata expression has ~15), then scrolls. */
const MAX_ROWS = 14;

export interface ReferenceTextProps {
  id: string;
  /** The accessible name: the input's name, exactly. */
  label: string;
  text: string;
  onText(text: string): void;
  suggestions: readonly Suggestion[];
  multiline?: boolean;
  mono?: boolean;
  placeholder?: string;
  invalid?: boolean;
  describedBy?: string;
}

export function ReferenceText({ id, label, text, onText, suggestions, multiline, mono, placeholder, invalid, describedBy }: ReferenceTextProps) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const listId = useId();
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const matches = useMemo(() => (query === null ? [] : matchSuggestions(suggestions, query)), [query, suggestions]);
  const open = matches.length > 0;

  const lookAt = (value: string, caret: number) => {
    const m = OPEN_REFERENCE.exec(value.slice(0, caret));
    setQuery(m ? m[1] : null);
    setActive(0);
  };

  // The caret goes after the inserted reference in the commit that shows it (the new value
  // put it at the end). A frame later sent keys typed straight after a click on a reference
  // chip to the chip, and moved the caret back over keys typed after Enter.
  const caretAfterCommit = useRef<number | null>(null);
  useLayoutEffect(() => {
    const caret = caretAfterCommit.current;
    const el = ref.current;
    if (caret === null || !el) return;
    caretAfterCommit.current = null;
    el.focus();
    el.setSelectionRange(caret, caret);
  });

  /** Puts `{{reference}}` at the caret, completing an open `{{partial` if there is one. */
  const insert = (reference: string) => {
    const el = ref.current;
    const value = el?.value ?? text;
    const caret = el?.selectionStart ?? value.length;
    const head = value.slice(0, caret);
    const before = OPEN_REFERENCE.test(head) ? head.replace(OPEN_REFERENCE, `{{${reference}}}`) : `${head}{{${reference}}}`;
    const after = value.slice(el?.selectionEnd ?? caret).replace(/^[\w.$[\]-]*\s*\}\}/, '');
    onText(before + after);
    setQuery(null);
    caretAfterCommit.current = before.length;
  };

  // The chip list calls the newest insert (its closure sees the newest text and mode).
  const latestInsert = useRef(insert);
  latestInsert.current = insert;

  const props = {
    id,
    ref,
    value: text,
    placeholder,
    className: mono ? 'mono' : undefined,
    role: 'combobox',
    'aria-label': label,
    'aria-autocomplete': 'list' as const,
    'aria-expanded': open,
    'aria-controls': listId,
    'aria-activedescendant': open ? `${listId}-${active}` : undefined,
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy,
    spellCheck: false,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      onText(e.target.value);
      lookAt(e.target.value, e.target.selectionStart ?? e.target.value.length);
    },
    onFocus: () => {
      lastFocused = { insert: (r) => latestInsert.current(r), isConnected: () => !!ref.current?.isConnected };
    },
    onBlur: () => setQuery(null),
    onKeyDown: (e: React.KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      if (e.key === ' ' && e.ctrlKey) {
        // Ctrl-Space opens the list at the caret, as in code editors.
        e.preventDefault();
        const el = e.currentTarget;
        if (!OPEN_REFERENCE.test(el.value.slice(0, el.selectionStart ?? 0))) setQuery('');
        else lookAt(el.value, el.selectionStart ?? el.value.length);
        return;
      }
      if (!open) return;
      if (e.key === 'Escape') {
        // Closes the list only: a dialog around the field stays open.
        e.preventDefault();
        e.stopPropagation();
        return setQuery(null);
      }
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Enter' && e.key !== 'Tab') return;
      e.preventDefault();
      if (e.key === 'ArrowDown') setActive((active + 1) % matches.length);
      else if (e.key === 'ArrowUp') setActive((active - 1 + matches.length) % matches.length);
      else insert(matches[active].ref);
    },
    onDragOver: (e: React.DragEvent) => {
      if (!e.dataTransfer.types.includes(REFERENCE_DRAG_TYPE)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDrop: (e: React.DragEvent) => {
      const reference = e.dataTransfer.getData(REFERENCE_DRAG_TYPE);
      if (!reference) return;
      // Our own insertion (at the caret, as one change) rather than the browser's text drop.
      e.preventDefault();
      ref.current?.focus();
      insert(reference);
    },
  };
  return (
    <div className="template-field">
      {multiline ? <textarea rows={Math.min(MAX_ROWS, Math.max(3, text.split('\n').length))} {...props} /> : <input type="text" {...props} />}
      {open && (
        <ul className="autocomplete" id={listId} role="listbox" aria-label={`References for ${label}`}>
          {matches.map((m, i) => (
            <li key={m.ref} id={`${listId}-${i}`} role="option" aria-selected={i === active} className={i === active ? 'on' : ''} onMouseDown={(e) => (e.preventDefault(), insert(m.ref))}>
              <span>{`{{${m.ref}}}`}</span>
              {m.hint && <span className="ac-hint">{m.hint}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
