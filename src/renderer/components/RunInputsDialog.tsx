/**
 * Run asks for the inputs the workflow declares (`settings.inputs`): one field per input,
 * defaults filled in, required ones enforced, numbers, booleans and JSON parsed before
 * they become the run's inputs.
 */
import { useId, useMemo, useState } from 'react';
import { useGraph, useSession } from '../app/stores';
import { initialValue, parseRunInput } from '../lib/run-inputs';
import { Modal } from './common';

type Draft = Record<string, string | boolean>;

export function RunInputsDialog() {
  const question = useSession((s) => s.runInputs);
  const declared = useGraph((s) => s.workflow.settings.inputs);
  const specs = useMemo(() => Object.entries(declared ?? {}), [declared]);
  const [draft, setDraft] = useState<Draft>(() => Object.fromEntries(specs.map(([n, spec]) => [n, initialValue(spec)])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const formId = useId();
  if (!question) return null;

  const submit = () => {
    const values: Record<string, unknown> = {};
    const found: Record<string, string> = {};
    for (const [name, spec] of specs) {
      const { value, error } = parseRunInput(name, spec, draft[name] ?? '');
      if (error) found[name] = error;
      else if (value !== undefined) values[name] = value;
    }
    setErrors(found);
    if (!Object.keys(found).length) question.resolve(values);
  };

  return (
    <Modal
      title="Run inputs"
      onClose={() => question.resolve(null)}
      footer={
        <>
          <button type="button" className="btn" onClick={() => question.resolve(null)}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn primary">
            ▶ Start run
          </button>
        </>
      }
    >
      <form
        id={formId}
        className="run-inputs"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {specs.map(([name, spec]) => {
          const id = `${formId}-${name}`;
          const err = errors[name];
          const set = (v: string | boolean) => {
            setDraft((d) => ({ ...d, [name]: v }));
            if (err) setErrors(({ [name]: _gone, ...rest }) => rest);
          };
          const described = [spec.description ? `${id}-help` : '', err ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
          return (
            <div key={name} className="run-input">
              {spec.type === 'boolean' ? (
                <label className="row" htmlFor={id}>
                  <input id={id} type="checkbox" checked={draft[name] === true} aria-describedby={described} onChange={(e) => set(e.target.checked)} />
                  <span className="field-label">{name}</span>
                </label>
              ) : (
                <>
                  <label htmlFor={id} className="field-label">
                    {name}
                    {spec.required && <span aria-hidden> *</span>}
                    <span className="muted small"> {spec.type}</span>
                  </label>
                  {spec.type === 'json' ? (
                    <textarea id={id} rows={4} spellCheck={false} required={spec.required} aria-invalid={!!err} aria-describedby={described} value={String(draft[name] ?? '')} onChange={(e) => set(e.target.value)} />
                  ) : (
                    <input
                      id={id}
                      type="text"
                      inputMode={spec.type === 'number' ? 'decimal' : undefined}
                      required={spec.required}
                      aria-invalid={!!err}
                      aria-describedby={described}
                      value={String(draft[name] ?? '')}
                      onChange={(e) => set(e.target.value)}
                    />
                  )}
                </>
              )}
              {spec.description && (
                <div id={`${id}-help`} className="muted small">
                  {spec.description}
                </div>
              )}
              {err && (
                <div id={`${id}-error`} className="field-error" role="alert">
                  {err}
                </div>
              )}
            </div>
          );
        })}
        {/* Enter in a text field submits the form. */}
        <button type="submit" hidden tabIndex={-1} aria-hidden />
      </form>
    </Modal>
  );
}
