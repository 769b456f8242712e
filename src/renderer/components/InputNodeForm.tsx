/**
 * Forms of the input and output nodes. An input node names a run input; its type,
 * default, whether it is required and its description are kept in the workflow's
 * `settings.inputs` as well, which is what Run asks for and the engine checks, so the two
 * never disagree. An output node collects named values as the run's output.
 */
import { useLayoutEffect, useRef, useState } from 'react';
import type { RunInputSpec, Workflow, WorkflowNode } from '../../contract';
import { graphStore } from '../app/stores';
import type { FieldType } from '../lib/binding-text';
import { ExpressionField } from './ExpressionField';
import { ReferenceList, useReferenceSuggestions } from './SchemaFields';

type InputType = RunInputSpec['type'];
const FIELD_TYPE: Record<InputType, FieldType> = { string: 'text', number: 'number', boolean: 'boolean', json: 'json' };
const NAME = /^[A-Za-z_][A-Za-z0-9_$-]*$/;

/**
 * Writes an input node and its declaration together: renaming moves the declaration,
 * the node keeps `name` and `default` (what the engine reads from it).
 */
function saveInput(nodeId: string, name: string, spec: Partial<RunInputSpec> & { type: InputType }) {
  graphStore.getState().editDocument((wf) => {
    const node = wf.nodes.find((n) => n.id === nodeId);
    if (!node) return wf;
    const oldName = typeof node.inputs.name === 'string' ? node.inputs.name : undefined;
    const declared = { ...(wf.settings.inputs ?? {}) };
    // Another input node may still read the old name; its declaration stays then.
    const shared = wf.nodes.some((n) => n.id !== nodeId && n.kind === 'input' && n.inputs.name === oldName);
    if (oldName !== undefined && oldName !== name && !shared) delete declared[oldName];
    const inputs: Record<string, unknown> = { ...node.inputs, name: name || undefined, default: spec.default };
    for (const k of Object.keys(inputs)) if (inputs[k] === undefined) delete inputs[k];
    if (name) {
      const entry: RunInputSpec = { type: spec.type };
      if (spec.description) entry.description = spec.description;
      if (spec.default !== undefined) entry.default = spec.default;
      if (spec.required) entry.required = true;
      declared[name] = entry;
    }
    const settings = { ...wf.settings, inputs: Object.keys(declared).length ? declared : undefined };
    if (!settings.inputs) delete settings.inputs;
    return { ...wf, settings, nodes: wf.nodes.map((n) => (n.id === nodeId ? { ...n, inputs } : n)) };
  });
}

export function InputNodeForm({ node, wf }: { node: WorkflowNode; wf: Workflow }) {
  const name = typeof node.inputs.name === 'string' ? node.inputs.name : '';
  const spec = (name && wf.settings.inputs?.[name]) || undefined;
  const type: InputType = spec?.type ?? (typeof node.inputs.default === 'number' ? 'number' : typeof node.inputs.default === 'boolean' ? 'boolean' : 'string');
  const current = { type, description: spec?.description, default: node.inputs.default ?? spec?.default, required: spec?.required };
  const save = (patch: Partial<RunInputSpec>, nextName = name) => saveInput(node.id, nextName, { ...current, ...patch });
  const id = `input-${node.id}`;
  const badName = name !== '' && !NAME.test(name);
  return (
    <div className="form">
      <div className="field">
        <label htmlFor={`${id}-name`}>
          Name<span className="req"> *</span> <span className="muted small">referenced as {`{{input.${name || 'name'}}}`}</span>
        </label>
        <input id={`${id}-name`} type="text" aria-label="name" className="mono" value={name} placeholder="e.g. folder" aria-invalid={badName || undefined} onChange={(e) => save({}, e.target.value.trim())} />
        {badName && <div className="field-error">A name starts with a letter or _ and has letters, digits, _ or - only.</div>}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-type`}>Type</label>
          <select
            id={`${id}-type`}
            aria-label="type"
            value={type}
            // The default was typed for the old type; a number default is no boolean.
            onChange={(e) => save({ type: e.target.value as InputType, default: undefined })}
          >
            <option value="string">text</option>
            <option value="number">number</option>
            <option value="boolean">yes/no</option>
            <option value="json">JSON</option>
          </select>
        </div>
        <label className="check">
          <input type="checkbox" aria-label="required" checked={!!current.required} onChange={(e) => save({ required: e.target.checked || undefined })} /> Required
        </label>
      </div>
      <ExpressionField
        key={type}
        id={`${id}-default`}
        name="default"
        title="Default"
        type={FIELD_TYPE[type]}
        value={current.default}
        onChange={(v) => save({ default: v })}
        suggestions={[]}
        fixedOnly
        multiline={type === 'json'}
        description="Used when the run is not given this input."
      />
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <input id={`${id}-description`} type="text" aria-label="description" value={current.description ?? ''} placeholder="What to enter, shown when the run asks for it" onChange={(e) => save({ description: e.target.value || undefined })} />
      </div>
    </div>
  );
}

/** An output node: named values (each may reference upstream outputs) collected as the run's output. */
export function OutputForm({ node, wf }: { node: WorkflowNode; wf: Workflow }) {
  const suggestions = useReferenceSuggestions(wf, node);
  const [newName, setNewName] = useState('');
  const set = (key: string, v: unknown) => graphStore.getState().setInput(node.id, key, v);
  const names = Object.keys(node.inputs);
  const candidate = newName.trim();
  // The new field takes the focus in the commit that adds it: a frame later
  // (requestAnimationFrame) sent the keys typed straight after Add to the button.
  const focusAfterCommit = useRef<string | null>(null);
  useLayoutEffect(() => {
    const added = focusAfterCommit.current;
    if (added === null) return;
    focusAfterCommit.current = null;
    document.getElementById(`output-${node.id}-${added}`)?.focus();
  });
  const add = () => {
    if (!NAME.test(candidate) || candidate in node.inputs) return;
    set(candidate, '');
    setNewName('');
    focusAfterCommit.current = candidate;
  };
  return (
    <div className="form">
      <ReferenceList suggestions={suggestions} />
      {names.length === 0 && <p className="muted small">Add the values this run hands back, each with a name, e.g. “report” = {'{{nodes.save.output}}'}.</p>}
      {names.map((key) => (
        <div key={key} className="field-with-remove">
          <ExpressionField id={`output-${node.id}-${key}`} name={key} type="json" value={node.inputs[key]} onChange={(v) => set(key, v ?? '')} suggestions={suggestions} multiline={false} />
          <button type="button" className="btn small" aria-label={`Remove ${key}`} onClick={() => set(key, undefined)}>
            Remove
          </button>
        </div>
      ))}
      <div className="row">
        <input type="text" aria-label="New output name" placeholder="output name…" value={newName} onChange={(e) => setNewName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && add()} />
        <button type="button" className="btn" disabled={!NAME.test(candidate) || candidate in node.inputs} onClick={add}>
          Add output
        </button>
      </div>
    </div>
  );
}
