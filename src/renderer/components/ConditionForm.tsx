/**
 * A condition node's form: the value tested (usually a reference to an upstream output),
 * a small builder for the common checks (equals, contains, is empty, greater than, …)
 * and, for checks that compare, the value compared with. The engine judges it
 * (src/engine/condition.ts); the node's "true" and "false" handles lead to the branches.
 */
import { ConditionOperator, type Workflow, type WorkflowNode } from '../../contract';
import { graphStore } from '../app/stores';
import { ExpressionField } from './ExpressionField';
import { ReferenceList, useReferenceSuggestions } from './SchemaFields';

const OPERATOR_WORDS: Record<ConditionOperator, string> = {
  truthy: 'has a value (not empty, false or 0)',
  equals: 'equals',
  notEquals: 'does not equal',
  contains: 'contains',
  isEmpty: 'is empty',
  isNotEmpty: 'is not empty',
  greaterThan: 'is greater than',
  lessThan: 'is less than',
};

/** Checks that look at the test alone. */
const UNARY = new Set<ConditionOperator>(['truthy', 'isEmpty', 'isNotEmpty']);

const brief = (v: unknown) => (v === undefined ? '…' : typeof v === 'string' ? v : JSON.stringify(v));

/** The check in words, as the branch reads it: `{{nodes.files.output.entries}} is empty`. */
export function conditionSummary(inputs: Record<string, unknown>): string {
  const op = ConditionOperator.safeParse(inputs.operator ?? 'truthy');
  if (!op.success) return `unknown check ${JSON.stringify(inputs.operator)}`;
  const words = OPERATOR_WORDS[op.data].split(' (')[0];
  return UNARY.has(op.data) ? `${brief(inputs.test)} ${words}` : `${brief(inputs.test)} ${words} ${brief(inputs.value)}`;
}

export function ConditionForm({ node, wf }: { node: WorkflowNode; wf: Workflow }) {
  const suggestions = useReferenceSuggestions(wf, node);
  const set = (key: string, v: unknown) => graphStore.getState().setInput(node.id, key, v);
  const parsed = ConditionOperator.safeParse(node.inputs.operator ?? 'truthy');
  const operator = parsed.success ? parsed.data : undefined;
  /** The test and the value compared with it: one-line JSON-or-reference fields alike. */
  const operand = (name: 'test' | 'value', props: { title: string; description: string; required?: boolean; placeholder?: string }) => (
    <ExpressionField id={`cond-${node.id}-${name}`} name={name} type="json" value={node.inputs[name]} onChange={(v) => set(name, v)} suggestions={suggestions} multiline={false} {...props} />
  );
  return (
    <div className="form">
      <ReferenceList suggestions={suggestions} />
      {operand('test', { title: 'Test', required: true, placeholder: '{{nodes.check.output}}', description: 'The value the check looks at: a reference to an upstream output, or a value.' })}
      <div className="field">
        <label htmlFor={`cond-${node.id}-operator`}>Check</label>
        <select
          id={`cond-${node.id}-operator`}
          aria-label="operator"
          value={operator ?? String(node.inputs.operator)}
          onChange={(e) => {
            const next = e.target.value as ConditionOperator;
            graphStore.getState().editDocument((w) => ({
              ...w,
              nodes: w.nodes.map((n) => {
                if (n.id !== node.id) return n;
                const inputs = { ...n.inputs };
                if (next === 'truthy') delete inputs.operator;
                else inputs.operator = next;
                // A check on the test alone has no value to compare with.
                if (UNARY.has(next)) delete inputs.value;
                return { ...n, inputs };
              }),
            }));
          }}
        >
          {!operator && <option value={String(node.inputs.operator)}>{String(node.inputs.operator)} (unknown)</option>}
          {ConditionOperator.options.map((op) => (
            <option key={op} value={op}>
              {OPERATOR_WORDS[op]}
            </option>
          ))}
        </select>
      </div>
      {operator && !UNARY.has(operator) && operand('value', { title: 'Compared with', description: 'Text, a number, JSON, or a reference.' })}
      <p className="cond-summary">
        <span className="branch-word branch-true">true</span> when <code>{conditionSummary(node.inputs)}</code>; otherwise <span className="branch-word branch-false">false</span>. Connect the node’s “true” and “false” handles to the branches.
      </p>
    </div>
  );
}
