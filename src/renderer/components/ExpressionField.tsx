/**
 * One input of a node, with a Fixed / Expression switch as n8n has: Fixed edits the value
 * with the control its type asks for (text, number, checkbox, choice, JSON); Expression
 * edits it as text with `{{…}}` references. Typing `{{` in a text, JSON or number field
 * switches it to Expression in place.
 *
 * The focus must survive that switch: text, JSON, number and expression text all use the
 * same text control in the same place of the tree, so React keeps the DOM element (and
 * the caret) when the value turns into a template. Changing the element there — a JSON
 * textarea that became a template field — was what dropped the focus after the second
 * `{`, leaving the next Backspace to the canvas, which deleted the node.
 */
import { useLayoutEffect, useRef, useState } from 'react';
import { hasReference, modeOf, textToValue, toFixed, valueToText, type FieldType, type Mode } from '../lib/binding-text';
import type { Suggestion } from '../lib/references';
import { REFERENCE_DRAG_TYPE, ReferenceText } from './ReferenceText';

export interface ExpressionFieldProps {
  id: string;
  /** The input's name: the field's accessible name, exactly. */
  name: string;
  /** Shown instead of the name when the schema gives a title. */
  title?: string;
  type: FieldType;
  enumValues?: readonly unknown[];
  value: unknown;
  onChange(value: unknown): void;
  suggestions: readonly Suggestion[];
  required?: boolean;
  description?: string;
  placeholder?: string;
  multiline?: boolean;
  /** No Fixed / Expression switch (a run input's default is a literal). */
  fixedOnly?: boolean;
}

const TEXTUAL_FIXED: ReadonlySet<FieldType> = new Set(['text', 'json', 'structured', 'number', 'integer']);

const TYPE_WORD: Record<FieldType, string> = { text: 'text', number: 'number', integer: 'integer', boolean: 'yes/no', enum: 'choice', json: 'text or JSON', structured: 'JSON' };

export function ExpressionField(p: ExpressionFieldProps) {
  const { id, name, type, value } = p;
  const [forced, setForced] = useState(false);
  const mode: Mode = !p.fixedOnly && (forced || modeOf(type, value, p.enumValues) === 'expression') ? 'expression' : 'fixed';
  const [text, setText] = useState(() => valueToText(type, value));
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  // The value this field last stored: a different value arriving (undo, another editor)
  // replaces the draft; our own echo does not, so half-typed JSON keeps its spacing.
  const emitted = useRef<unknown>(value);
  const [seen, setSeen] = useState<unknown>(value);
  if (value !== seen) {
    setSeen(value);
    if (value !== emitted.current) {
      emitted.current = value;
      setText(valueToText(type, value));
      setMessage(null);
    }
  }

  const store = (v: unknown) => {
    emitted.current = v;
    p.onChange(v);
  };

  const onText = (t: string) => {
    setText(t);
    const parsed = textToValue(type, t, mode);
    if (parsed.ok) {
      setMessage(parsed.note ? { error: false, text: parsed.note } : null);
      if (parsed.value !== emitted.current) store(parsed.value);
    } else {
      // A lone `{` is the start of a reference, not a mistake yet.
      setMessage(/\{\s*$/.test(t) ? null : { error: true, text: parsed.error });
    }
  };

  // The switched control takes the focus in the commit of the click or drop that switched it:
  // a frame later (requestAnimationFrame) lost the first keys a person typed straight after
  // clicking Expression whenever a frame came late (seen: "false" arrived as "alse").
  const focusAfterCommit = useRef(false);
  const focusOnCommit = () => {
    focusAfterCommit.current = true;
  };
  useLayoutEffect(() => {
    if (!focusAfterCommit.current) return;
    focusAfterCommit.current = false;
    document.getElementById(id)?.focus();
  });
  const switchTo = (next: Mode) => {
    if (next === mode) return;
    setMessage(null);
    if (next === 'expression') {
      setForced(true);
      setText(valueToText(type, value));
    } else {
      setForced(false);
      const fixed = toFixed(type, value, p.enumValues);
      setText(valueToText(type, fixed));
      if (fixed !== value) store(fixed);
    }
    focusOnCommit();
  };

  const textual = mode === 'expression' || TEXTUAL_FIXED.has(type);
  const multiline = p.multiline ?? (type === 'json' || type === 'structured');
  const messageId = `${id}-msg`;
  let control: React.ReactNode;
  if (textual) {
    control = (
      <ReferenceText
        id={id}
        label={name}
        text={text}
        onText={onText}
        suggestions={p.suggestions}
        multiline={multiline}
        mono={mode === 'expression' || type === 'structured' || hasReference(text)}
        placeholder={p.placeholder ?? (mode === 'expression' ? '{{nodes.…}}' : undefined)}
        invalid={message?.error}
        describedBy={message ? messageId : undefined}
      />
    );
  } else if (type === 'boolean') {
    control = (
      <label className="check">
        <input id={id} type="checkbox" aria-label={name} checked={value === true} onChange={(e) => store(e.target.checked)} /> {value === true ? 'yes' : 'no'}
      </label>
    );
  } else {
    const options = p.enumValues ?? [];
    control = (
      <select id={id} aria-label={name} value={value === undefined ? '' : String(value)} onChange={(e) => store(e.target.value === '' ? undefined : (options.find((x) => String(x) === e.target.value) ?? e.target.value))}>
        <option value="">—</option>
        {options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  }

  return (
    <div
      className={`field${mode === 'expression' ? ' is-expression' : ''}`}
      data-field={name}
      onDragOver={(e) => {
        if (!textual && e.dataTransfer.types.includes(REFERENCE_DRAG_TYPE)) e.preventDefault();
      }}
      onDrop={(e) => {
        // A reference dropped on a checkbox or a choice turns the field into that expression.
        const reference = e.dataTransfer.getData(REFERENCE_DRAG_TYPE);
        if (textual || !reference) return;
        e.preventDefault();
        setForced(true);
        setText(`{{${reference}}}`);
        store(`{{${reference}}}`);
        focusOnCommit();
      }}
    >
      <div className="field-head">
        <label htmlFor={id}>
          {p.title ?? name}
          {p.required && (
            <span className="req" title="required">
              {' '}
              *
            </span>
          )}
          <span className="muted small"> {mode === 'expression' ? 'expression' : TYPE_WORD[type]}</span>
        </label>
        {!p.fixedOnly && (
          <div className="mode-switch" role="group" aria-label={`${name} mode`}>
            <button type="button" aria-pressed={mode === 'fixed'} className={mode === 'fixed' ? 'on' : ''} onClick={() => switchTo('fixed')} title="A fixed value">
              Fixed
            </button>
            <button type="button" aria-pressed={mode === 'expression'} className={mode === 'expression' ? 'on' : ''} onClick={() => switchTo('expression')} title="Text with {{…}} references, resolved when the node runs">
              Expression
            </button>
          </div>
        )}
      </div>
      {control}
      {message && (
        <div id={messageId} className={message.error ? 'field-error' : 'muted small'}>
          {message.text}
        </div>
      )}
      {p.description && <div className="muted small">{p.description}</div>}
    </div>
  );
}
