/**
 * The node form: one form per node kind (a tool's fields generated from its input JSON
 * Schema; map, condition, input and output nodes have their own), and the node's
 * retry/timeout/cache/acceptance settings. Every field can hold an expression.
 */
import { useState, type ComponentType } from 'react';
import type { Workflow, WorkflowNode } from '../../contract';
import { kindInfo, toolOf, type KindForm } from '../../shared/kinds';
import { graphStore } from '../app/stores';
import { useTools } from '../app/tools';
import type { Schema } from '../lib/references';
import { ConditionForm } from './ConditionForm';
import { ExpressionField } from './ExpressionField';
import { InputNodeForm, OutputForm } from './InputNodeForm';
import { MapForm } from './MapForm';
import { ReferenceList, SchemaFields, useReferenceSuggestions } from './SchemaFields';
import './forms.css';

/** The inputs form of `node`, by its kind. */
export function InputsForm({ node, wf }: { node: WorkflowNode; wf: Workflow }) {
  const Form = FORMS[kindInfo(node.kind).form];
  return <Form node={node} wf={wf} />;
}

/** Tool, llm, agent and approval nodes: the fields of the tool's input schema. */
function ToolInputsForm({ node, wf }: { node: WorkflowNode; wf: Workflow }) {
  const toolName = toolOf(node);
  const spec = useTools((s) => (toolName ? s.byName.get(toolName) : undefined));
  const suggestions = useReferenceSuggestions(wf, node);
  const schema = (spec?.inputSchema ?? {}) as Schema;
  const props = schema.properties ?? {};
  // Inputs the schema does not declare (hand-added keys, a tool not installed) stay editable.
  const extra = Object.keys(node.inputs).filter((k) => !(k in props));
  const set = (name: string, v: unknown) => graphStore.getState().setInput(node.id, name, v);
  // Without a known schema (a tool that is not installed) inputs are added by name.
  const open = !spec || Object.keys(props).length === 0;
  const [newKey, setNewKey] = useState('');
  return (
    <div className="form">
      <ReferenceList suggestions={suggestions} />
      <SchemaFields idPrefix={`in-${node.id}`} schema={schema} values={node.inputs} onChange={set} suggestions={suggestions} />
      {extra.map((name) => (
        <div key={name} className="field-with-remove">
          <ExpressionField
            id={`in-${node.id}-${name}`}
            name={name}
            type="json"
            value={node.inputs[name]}
            onChange={(v) => set(name, v ?? '')}
            suggestions={suggestions}
            description={spec ? `Not an input of ${spec.name}; the tool may refuse it.` : undefined}
          />
          <button type="button" className="btn small" aria-label={`Remove ${name}`} onClick={() => set(name, undefined)}>
            Remove
          </button>
        </div>
      ))}
      {open && (
        <div className="row">
          <input type="text" aria-label="New input name" placeholder="add input…" value={newKey} onChange={(e) => setNewKey(e.target.value)} />
          <button
            type="button"
            className="btn"
            disabled={!newKey.trim() || newKey.trim() in node.inputs}
            onClick={() => {
              set(newKey.trim(), '');
              setNewKey('');
            }}
          >
            Add
          </button>
        </div>
      )}
    </div>
  );
}

/** The form each kind's registry entry asks for. */
const FORMS: Record<KindForm, ComponentType<{ node: WorkflowNode; wf: Workflow }>> = {
  'tool-inputs': ToolInputsForm,
  map: MapForm,
  condition: ConditionForm,
  input: InputNodeForm,
  output: OutputForm,
};

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
