/**
 * Parts every node form shares: fields generated from a tool's input JSON Schema, the
 * references a node may use (for autocomplete), and the list of upstream outputs a
 * person drags into a field (or clicks to insert into the last field they typed in).
 */
import { useCallback, useMemo } from 'react';
import type { Workflow, WorkflowNode } from '../../contract';
import { useTools } from '../app/tools';
import { fieldTypeOf } from '../lib/binding-text';
import { mapItemSchema, referenceSuggestions, type Schema, type Suggestion } from '../lib/references';
import { ExpressionField } from './ExpressionField';
import { REFERENCE_DRAG_TYPE, insertIntoLastField } from './ReferenceText';

/** A tool's output schema by tool name, from the catalog. */
export function useToolOutput(): (tool: string) => Schema | undefined {
  const byName = useTools((s) => s.byName);
  return useCallback((tool: string) => byName.get(tool)?.outputSchema as Schema | undefined, [byName]);
}

/** References `node` may use; with `perItem`, also the current map item and index. */
export function useReferenceSuggestions(wf: Workflow, node: WorkflowNode, perItem = false): Suggestion[] {
  const toolOutput = useToolOutput();
  return useMemo(
    () => referenceSuggestions(wf, node.id, toolOutput, perItem ? { schema: mapItemSchema(wf, node, toolOutput) } : undefined),
    // The workflow changes on every keystroke; the references only with edges, nodes' tools and inputs' names.
    [referenceKey(wf, node), toolOutput, perItem],
  );
}

/** What the suggestions of `node` depend on, as one string (cheap to compare per render). */
function referenceKey(wf: Workflow, node: WorkflowNode): string {
  const parts = [node.id, String(node.inputs.items ?? ''), JSON.stringify(wf.settings.inputs ?? {})];
  for (const e of wf.edges) parts.push(`${e.source}>${e.target}`);
  for (const n of wf.nodes) parts.push(`${n.id}:${n.kind}:${n.tool ?? ''}:${n.kind === 'input' ? String(n.inputs.name ?? '') : ''}${n.outputSchema ? ':s' : ''}`);
  return parts.join('|');
}

/** Text inputs whose names say they hold prose get a textarea. */
const LONG_TEXT = /template|prompt|text|body|content|expression|system|message|instructions|query|details|goal/i;

export function SchemaFields({
  idPrefix,
  schema,
  values,
  onChange,
  suggestions,
  skip,
}: {
  idPrefix: string;
  schema: Schema;
  values: Record<string, unknown>;
  onChange(name: string, value: unknown): void;
  suggestions: readonly Suggestion[];
  skip?: ReadonlySet<string>;
}) {
  const required = new Set(schema.required ?? []);
  return (
    <>
      {Object.entries(schema.properties ?? {})
        .filter(([name]) => !skip?.has(name))
        .map(([name, s]) => {
          const type = fieldTypeOf(s);
          const value = values[name];
          return (
            <ExpressionField
              key={name}
              id={`${idPrefix}-${name}`}
              name={name}
              title={s.title}
              type={type}
              enumValues={s.enum}
              value={value}
              onChange={(v) => onChange(name, v)}
              suggestions={suggestions}
              required={required.has(name)}
              description={s.description}
              placeholder={s.default !== undefined ? `default: ${JSON.stringify(s.default)}` : undefined}
              multiline={type === 'text' ? LONG_TEXT.test(name) && s.format === undefined : undefined}
            />
          );
        })}
    </>
  );
}

/** Upstream outputs and run inputs as chips: drag one into a field, or click to insert it. */
export function ReferenceList({ suggestions }: { suggestions: readonly Suggestion[] }) {
  const shown = suggestions.filter((s) => s.ref !== 'index');
  if (!shown.length) return null;
  return (
    <details className="ref-list">
      <summary>References you can use ({shown.length})</summary>
      <p className="muted small">Drag one into a field, or click it to insert it where you were typing.</p>
      <ul aria-label="References">
        {shown.map((s) => (
          <li key={s.ref}>
            <button
              type="button"
              className="ref-chip"
              draggable
              title={s.hint ? `${s.ref} (${s.hint})` : s.ref}
              onDragStart={(e) => {
                e.dataTransfer.setData(REFERENCE_DRAG_TYPE, s.ref);
                e.dataTransfer.setData('text/plain', `{{${s.ref}}}`);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => insertIntoLastField(s.ref)}
            >
              {`{{${s.ref}}}`}
              {s.hint && <span className="ac-hint">{s.hint}</span>}
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
