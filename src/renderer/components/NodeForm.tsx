/**
 * The node form: fields generated from the tool's input JSON Schema, template
 * autocomplete for references to upstream outputs, and retry/timeout/cache/acceptance.
 */
import { useMemo, useRef, useState } from 'react';
import type { Workflow, WorkflowNode } from '../../contract';
import { graphStore } from '../app/stores';
import { ancestorsOf } from '../lib/graph-utils';

type Schema = { type?: string | string[]; enum?: unknown[]; description?: string; title?: string; properties?: Record<string, Schema>; required?: string[]; default?: unknown; format?: string; anyOf?: Schema[]; oneOf?: Schema[] };

/** Template references the node may use: upstream outputs (with their known fields) and run inputs. */
export function referenceSuggestions(wf: Workflow, nodeId: string, outputSchemas: (n: WorkflowNode) => Schema | undefined): string[] {
  const byId = new Map(wf.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  for (const id of ancestorsOf(wf.edges, nodeId)) {
    out.push(`nodes.${id}.output`);
    const schema = byId.get(id) && outputSchemas(byId.get(id)!);
    for (const key of Object.keys(schema?.properties ?? {})) out.push(`nodes.${id}.output.${key}`);
  }
  for (const name of Object.keys(wf.settings.inputs ?? {})) out.push(`input.${name}`);
  return out;
}

/** A text input or textarea that offers `{{reference}}` completions after `{{`. */
export function TemplateField({ id, value, onChange, suggestions, multiline, label }: { id: string; value: string; onChange(v: string): void; suggestions: string[]; multiline?: boolean; label: string }) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const matches = useMemo(() => (query === null ? [] : suggestions.filter((s) => s.toLowerCase().includes(query.toLowerCase())).slice(0, 8)), [query, suggestions]);

  const update = (text: string, caret: number) => {
    onChange(text);
    const m = /\{\{\s*([\w.-]*)$/.exec(text.slice(0, caret));
    setQuery(m ? m[1] : null);
    setActive(0);
  };
  const insert = (ref_: string) => {
    const el = ref.current;
    if (!el) return;
    const caret = el.selectionStart ?? value.length;
    const before = value.slice(0, caret).replace(/\{\{\s*[\w.-]*$/, `{{${ref_}}}`);
    const after = value.slice(caret).replace(/^[\w.-]*\}\}/, '');
    onChange(before + after);
    setQuery(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(before.length, before.length);
    });
  };
  const props = {
    id,
    ref,
    value,
    'aria-label': label,
    'aria-autocomplete': 'list' as const,
    'aria-expanded': matches.length > 0,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => update(e.target.value, e.target.selectionStart ?? e.target.value.length),
    onBlur: () => setTimeout(() => setQuery(null), 150),
    onKeyDown: (e: React.KeyboardEvent) => {
      if (!matches.length) return;
      if (e.key === 'Escape') return setQuery(null);
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Enter' && e.key !== 'Tab') return;
      e.preventDefault();
      if (e.key === 'ArrowDown') setActive((active + 1) % matches.length);
      else if (e.key === 'ArrowUp') setActive((active - 1 + matches.length) % matches.length);
      else insert(matches[active]);
    },
  };
  return (
    <div className="template-field">
      {multiline ? <textarea rows={3} {...props} /> : <input type="text" {...props} />}
      {matches.length > 0 && (
        <ul className="autocomplete" role="listbox" aria-label={`References for ${label}`}>
          {matches.map((m, i) => (
            <li key={m} role="option" aria-selected={i === active} className={i === active ? 'on' : ''} onMouseDown={(e) => (e.preventDefault(), insert(m))}>
              {`{{${m}}}`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function typeOf(s: Schema): string {
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (t) return t;
  if (s.enum) return 'enum';
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length === 1) return typeOf(alt[0]);
  return 'json';
}

const isTemplate = (v: unknown) => typeof v === 'string' && v.includes('{{');

/** One input, rendered by its schema type; template strings are allowed in every field. */
function InputField({ node, name, schema, required, suggestions }: { node: WorkflowNode; name: string; schema: Schema; required: boolean; suggestions: string[] }) {
  const value = node.inputs[name];
  const set = (v: unknown) => graphStore.getState().setInput(node.id, name, v);
  const fieldId = `in-${node.id}-${name}`;
  const t = schema.enum ? 'enum' : typeOf(schema);
  const [jsonDraft, setJsonDraft] = useState<string | null>(null);
  const [jsonError, setJsonError] = useState<string | null>(null);
  let control: React.ReactNode;
  if (t === 'boolean' && !isTemplate(value)) {
    control = <input id={fieldId} type="checkbox" checked={value === true} onChange={(e) => set(e.target.checked)} aria-label={name} />;
  } else if (t === 'enum' && !isTemplate(value)) {
    control = (
      <select id={fieldId} aria-label={name} value={value === undefined ? '' : String(value)} onChange={(e) => set(e.target.value === '' ? undefined : (schema.enum!.find((x) => String(x) === e.target.value) ?? e.target.value))}>
        <option value="">—</option>
        {schema.enum!.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  } else if ((t === 'number' || t === 'integer') && !isTemplate(value)) {
    control = (
      <input id={fieldId} type="number" aria-label={name} step={t === 'integer' ? 1 : 'any'} value={typeof value === 'number' ? value : ''} onChange={(e) => set(e.target.value === '' ? undefined : Number(e.target.value))} />
    );
  } else if (t === 'string' || isTemplate(value)) {
    const long = (schema.format === undefined && /template|prompt|text|body|content|expression|system|message|instructions|query/i.test(name)) || (typeof value === 'string' && value.includes('\n'));
    control = <TemplateField id={fieldId} label={name} value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)} onChange={(v) => set(v === '' ? undefined : v)} suggestions={suggestions} multiline={long} />;
  } else {
    const text = jsonDraft ?? (value === undefined ? '' : JSON.stringify(value, null, 2));
    control = (
      <>
        <textarea
          id={fieldId}
          aria-label={name}
          className="mono"
          rows={4}
          value={text}
          onChange={(e) => {
            setJsonDraft(e.target.value);
            if (e.target.value.trim() === '') return (setJsonError(null), set(undefined));
            try {
              set(JSON.parse(e.target.value));
              setJsonError(null);
            } catch (err) {
              // A bare template string is a valid binding too.
              if (isTemplate(e.target.value.trim())) {
                set(e.target.value.trim());
                setJsonError(null);
              } else setJsonError(`Not valid JSON yet: ${(err as Error).message}`);
            }
          }}
          onBlur={() => setJsonDraft(null)}
        />
        {jsonError && <div className="field-error">{jsonError}</div>}
      </>
    );
  }
  return (
    <div className="field">
      <label htmlFor={fieldId}>
        {schema.title ?? name}
        {required && <span className="req" title="required"> *</span>}
        <span className="muted small"> {t}</span>
      </label>
      {control}
      {schema.description && <div className="muted small">{schema.description}</div>}
    </div>
  );
}

export function InputsForm({ node, wf, inputSchema, outputSchemaOf }: { node: WorkflowNode; wf: Workflow; inputSchema?: Record<string, unknown>; outputSchemaOf(n: WorkflowNode): Schema | undefined }) {
  const suggestions = useMemo(() => referenceSuggestions(wf, node.id, outputSchemaOf), [wf, node.id, outputSchemaOf]);
  const schema = (inputSchema ?? {}) as Schema;
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  // Inputs the schema does not declare (condition `test`, map `items`, hand-added keys) stay editable.
  const extra = Object.keys(node.inputs).filter((k) => !(k in props));
  const [newKey, setNewKey] = useState('');
  return (
    <div className="form">
      {Object.entries(props).map(([name, s]) => (
        <InputField key={name} node={node} name={name} schema={s} required={required.has(name)} suggestions={suggestions} />
      ))}
      {extra.map((name) => (
        <InputField key={name} node={node} name={name} schema={{ type: typeof node.inputs[name] === 'string' ? 'string' : undefined }} required={false} suggestions={suggestions} />
      ))}
      <div className="row">
        <input type="text" aria-label="New input name" placeholder="add input…" value={newKey} onChange={(e) => setNewKey(e.target.value)} />
        <button
          type="button"
          className="btn"
          disabled={!newKey.trim() || newKey.trim() in node.inputs}
          onClick={() => {
            graphStore.getState().setInput(node.id, newKey.trim(), '');
            setNewKey('');
          }}
        >
          Add
        </button>
      </div>
    </div>
  );
}

export function SettingsForm({ node }: { node: WorkflowNode }) {
  const update = (patch: Partial<WorkflowNode>) => graphStore.getState().updateNode(node.id, patch);
  const retry = node.retry;
  const acc = node.acceptance ?? {};
  const setAcc = (patch: Partial<NonNullable<WorkflowNode['acceptance']>>) => {
    const next = { ...acc, ...patch };
    for (const k of Object.keys(next) as (keyof typeof next)[]) if (next[k] === undefined || (Array.isArray(next[k]) && !(next[k] as unknown[]).length)) delete next[k];
    update({ acceptance: Object.keys(next).length ? next : undefined });
  };
  const id = node.id;
  return (
    <div className="form">
      <div className="field-row">
        <div className="field">
          <label htmlFor={`retry-${id}`}>Retries</label>
          <input id={`retry-${id}`} type="number" min={0} max={50} value={retry?.max ?? 0} onChange={(e) => update({ retry: { max: Number(e.target.value) || 0, policy: retry?.policy ?? 'transient' } })} />
        </div>
        <div className="field">
          <label htmlFor={`policy-${id}`}>Retry on</label>
          <select id={`policy-${id}`} value={retry?.policy ?? 'transient'} onChange={(e) => update({ retry: { max: retry?.max ?? 0, policy: e.target.value as 'transient' } })}>
            <option value="transient">transient errors</option>
            <option value="any">any error</option>
            <option value="none">never</option>
          </select>
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`timeout-${id}`}>Timeout (ms)</label>
          <input id={`timeout-${id}`} type="number" min={1} placeholder="tool default" value={node.timeoutMs ?? ''} onChange={(e) => update({ timeoutMs: e.target.value ? Number(e.target.value) : undefined })} />
        </div>
        <label className="check">
          <input type="checkbox" checked={!!node.cache} onChange={(e) => update({ cache: e.target.checked || undefined })} /> Cache output
        </label>
      </div>
      <div className="field">
        <label htmlFor={`criteria-${id}`}>Acceptance criteria (one per line)</label>
        <textarea id={`criteria-${id}`} rows={2} value={(acc.criteria ?? []).join('\n')} onChange={(e) => setAcc({ criteria: e.target.value.split('\n').filter((l, i, a) => l.trim() || i === a.length - 1) })} />
      </div>
      <div className="field-row">
        <label className="check">
          <input type="checkbox" checked={!!acc.nonEmpty} onChange={(e) => setAcc({ nonEmpty: e.target.checked || undefined })} /> Must not be empty
        </label>
        <div className="field">
          <label htmlFor={`regex-${id}`}>Must match (regex)</label>
          <input id={`regex-${id}`} type="text" className="mono" value={acc.regex ?? ''} onChange={(e) => setAcc({ regex: e.target.value || undefined })} />
        </div>
      </div>
    </div>
  );
}
