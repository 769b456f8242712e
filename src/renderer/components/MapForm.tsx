/**
 * A map node's form: the tool it runs (the "Tool" picker), the list it runs over, the
 * tool's own input form for one item (stored under `inputs.with` as an object, where
 * `{{item…}}` and `{{index}}` name the current item), concurrency and fail-fast.
 */
import { useMemo } from 'react';
import type { Workflow, WorkflowNode } from '../../contract';
import { graphStore } from '../app/stores';
import { useTools } from '../app/tools';
import { mapItemSchema, type Schema } from '../lib/references';
import { ExpressionField } from './ExpressionField';
import { ReferenceList, SchemaFields, useReferenceSuggestions, useToolOutput } from './SchemaFields';

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Tools a map cannot usefully run per item: asking a person once per item is an approval node's job. */
const NOT_PER_ITEM = new Set(['human.approve']);

/**
 * A first per-item input for a newly chosen tool: its first required field set to the
 * item, or to the item's field of the same name when the items are known objects
 * (`path` of a file.list entry), so a fresh map runs without hand-typing `{{item}}`.
 */
export function initialWith(toolSchema: Schema | undefined, itemSchema: Schema | undefined): Record<string, unknown> | undefined {
  const first = toolSchema?.required?.[0];
  if (!first) return undefined;
  return { [first]: itemSchema?.properties?.[first] ? `{{item.${first}}}` : '{{item}}' };
}

export function MapForm({ node, wf }: { node: WorkflowNode; wf: Workflow }) {
  const tools = useTools((s) => s.tools);
  const byName = useTools((s) => s.byName);
  const toolOutput = useToolOutput();
  const outer = useReferenceSuggestions(wf, node);
  const perItem = useReferenceSuggestions(wf, node, true);
  const spec = node.tool ? byName.get(node.tool) : undefined;
  const withValue = node.inputs.with;
  const set = (key: string, v: unknown) => graphStore.getState().setInput(node.id, key, v);
  const groups = useMemo(() => {
    const out = new Map<string, { name: string; title: string }[]>();
    for (const t of tools ?? []) {
      if (NOT_PER_ITEM.has(t.name)) continue;
      const group = t.source === 'builtin' ? t.name.split('.')[0] : `mcp: ${t.source}`;
      out.set(group, [...(out.get(group) ?? []), { name: t.name, title: t.title }]);
    }
    return [...out.entries()];
  }, [tools]);

  const chooseTool = (name: string) => {
    if (!name) return graphStore.getState().updateNode(node.id, { tool: undefined });
    const schema = byName.get(name)?.inputSchema as Schema | undefined;
    // A `with` written for the previous tool would not fit the new one.
    const next = initialWith(schema, mapItemSchema(wf, node, toolOutput));
    const inputs = { ...node.inputs };
    if (next) inputs.with = next;
    else delete inputs.with;
    graphStore.getState().updateNode(node.id, { tool: name, inputs });
  };

  // The tool was chosen before the list: its untouched first input becomes the item's field of
  // the same name once the list says what an item holds (`{{item}}` → `{{item.path}}`).
  const setItems = (v: unknown) => {
    const schema = spec?.inputSchema as Schema | undefined;
    const untouched = JSON.stringify(withValue) === JSON.stringify(initialWith(schema, undefined));
    if (!untouched || withValue === undefined || v === undefined) return set('items', v);
    const upgraded = initialWith(schema, mapItemSchema(wf, { ...node, inputs: { ...node.inputs, items: v } }, toolOutput));
    graphStore.getState().updateNode(node.id, { inputs: { ...node.inputs, items: v, with: upgraded } });
  };

  const setWithField = (key: string, v: unknown) => {
    const next = { ...(isRecord(withValue) ? withValue : {}) };
    if (v === undefined) delete next[key];
    else next[key] = v;
    set('with', Object.keys(next).length ? next : undefined);
  };

  return (
    <div className="form">
      <ReferenceList suggestions={perItem} />
      <div className="field">
        <label htmlFor={`map-${node.id}-tool`}>
          Tool<span className="req"> *</span>
        </label>
        <select id={`map-${node.id}-tool`} aria-label="Tool" value={node.tool ?? ''} onChange={(e) => chooseTool(e.target.value)}>
          <option value="">Choose the tool to run for each item…</option>
          {node.tool && !spec && <option value={node.tool}>{node.tool} (not installed)</option>}
          {groups.map(([group, list]) => (
            <optgroup key={group} label={group}>
              {list.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.title} ({t.name})
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <ExpressionField
        id={`map-${node.id}-items`}
        name="items"
        type="json"
        value={node.inputs.items}
        onChange={setItems}
        suggestions={outer}
        required
        multiline={false}
        placeholder="{{nodes.files.output.entries}}"
        description="The list to run over: a reference to an upstream list, or a JSON list."
      />
      <fieldset className="per-item">
        <legend>For each item{spec ? `: ${spec.title}` : ''}</legend>
        {!node.tool && <p className="muted small">Choose a tool to fill in its input for one item.</p>}
        {node.tool && isRecord(withValue) === false && withValue !== undefined ? (
          <ExpressionField id={`map-${node.id}-with`} name="with" type="json" value={withValue} onChange={(v) => set('with', v)} suggestions={perItem} description="The whole input of one item, as one expression." />
        ) : (
          spec && (
            <>
              <p className="muted small">
                <code>{'{{item}}'}</code> is the current item, <code>{'{{index}}'}</code> its position. Left empty, each item is passed to the tool as it is.
              </p>
              <SchemaFields idPrefix={`map-${node.id}-with`} schema={spec.inputSchema as Schema} values={isRecord(withValue) ? withValue : {}} onChange={setWithField} suggestions={perItem} />
            </>
          )
        )}
      </fieldset>
      <ExpressionField id={`map-${node.id}-concurrency`} name="concurrency" type="integer" value={node.inputs.concurrency} onChange={(v) => set('concurrency', v)} suggestions={outer} placeholder="default: 4" description="Items run at once." />
      <ExpressionField id={`map-${node.id}-failFast`} name="failFast" title="Stop at the first failure" type="boolean" value={node.inputs.failFast} onChange={(v) => set('failFast', v)} suggestions={outer} />
    </div>
  );
}
