import { describe, expect, it } from 'vitest';
import { fieldTypeOf, modeOf, textToValue, toFixed, valueToText } from './binding-text';

describe('fieldTypeOf', () => {
  it('maps JSON Schema properties to the control a person types into', () => {
    expect(fieldTypeOf({ type: 'string' })).toBe('text');
    expect(fieldTypeOf({ type: 'integer' })).toBe('integer');
    expect(fieldTypeOf({ type: 'string', enum: ['a', 'b'] })).toBe('enum');
    expect(fieldTypeOf({ type: 'object' })).toBe('structured');
    // artifact.save content (no type) and file.write content (text, object or list) take text or JSON.
    expect(fieldTypeOf({ description: 'anything' })).toBe('json');
    expect(fieldTypeOf({ anyOf: [{ type: 'string' }, { type: 'object' }, { type: 'array' }] })).toBe('json');
    expect(fieldTypeOf({ type: ['number', 'null'] })).toBe('number');
  });
});

describe('modes and text', () => {
  it('shows a value with a reference, or text where a number/yes-no/choice is wanted, as an expression', () => {
    expect(modeOf('text', 'Hello {{input.name}}')).toBe('expression');
    expect(modeOf('text', 'literal \\{{braces}}')).toBe('fixed');
    expect(modeOf('number', '{{input.n}}')).toBe('expression');
    expect(modeOf('number', 5)).toBe('fixed');
    expect(modeOf('boolean', 'yes')).toBe('expression');
    expect(modeOf('json', 'plain text')).toBe('fixed');
    // A choice's own value shows as the choice; any other text is an expression.
    expect(modeOf('enum', 'csv', ['text', 'csv'])).toBe('fixed');
    expect(modeOf('enum', 'xml', ['text', 'csv'])).toBe('expression');
  });

  it('reads typed text as the value the field wants: a template stays text, [] is a list, 42 a number', () => {
    expect(textToValue('json', '{{nodes.a.output}}', 'fixed')).toEqual({ ok: true, value: '{{nodes.a.output}}' });
    expect(textToValue('json', '{{', 'fixed')).toEqual({ ok: true, value: '{{' });
    expect(textToValue('json', '{"t": "{{nodes.a.output.text}}"}', 'fixed')).toEqual({ ok: true, value: { t: '{{nodes.a.output.text}}' } });
    expect(textToValue('structured', '[{{nodes.a.output}}]', 'fixed')).toEqual({ ok: true, value: '[{{nodes.a.output}}]' });
    expect(textToValue('json', '[]', 'fixed')).toEqual({ ok: true, value: [] });
    expect(textToValue('json', '42', 'fixed')).toEqual({ ok: true, value: 42 });
    expect(textToValue('json', 'hello', 'fixed')).toEqual({ ok: true, value: 'hello' });
    expect(textToValue('json', '{"a": ', 'fixed')).toMatchObject({ ok: true, value: '{"a": ', note: expect.stringContaining('Kept as text') });
    expect(textToValue('text', '42', 'fixed')).toEqual({ ok: true, value: '42' });
    expect(textToValue('text', '', 'fixed')).toEqual({ ok: true, value: undefined });
    expect(textToValue('integer', '2', 'fixed')).toEqual({ ok: true, value: 2 });
    expect(textToValue('integer', '2.5', 'fixed')).toMatchObject({ ok: false });
    expect(textToValue('number', '{{input.n}}', 'fixed')).toEqual({ ok: true, value: '{{input.n}}' });
    expect(textToValue('structured', '{"a": 1}', 'fixed')).toEqual({ ok: true, value: { a: 1 } });
    expect(textToValue('structured', '"text"', 'fixed')).toMatchObject({ ok: false, error: 'Expected a JSON object or list.' });
    expect(textToValue('boolean', 'true', 'expression')).toEqual({ ok: true, value: true });
  });

  it('round-trips values through their text', () => {
    for (const [type, value] of [['json', '42'], ['json', [1, { a: 'x' }]], ['json', 'hello'], ['number', 3.5], ['structured', { k: [] }], ['text', 'a {{input.x}}']] as const) {
      const parsed = textToValue(type, valueToText(type, value), 'fixed');
      expect(parsed, `${type} ${JSON.stringify(value)}`).toEqual({ ok: true, value });
    }
  });

  it('switching back to Fixed keeps what fits the type and makes references literal', () => {
    expect(toFixed('text', 'Hi {{input.name}}')).toBe('Hi \\{{input.name}}');
    expect(toFixed('number', '12')).toBe(12);
    expect(toFixed('number', '{{input.n}}')).toBeUndefined();
    expect(toFixed('boolean', 'false')).toBe(false);
    expect(toFixed('enum', 'b', ['a', 'b'])).toBe('b');
    expect(toFixed('enum', '{{x}}', ['a'])).toBeUndefined();
  });
});
