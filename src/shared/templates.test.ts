import { describe, expect, it } from 'vitest';
import { hasTemplate, parseTemplate, renameReferences, walkStrings } from './templates';

describe('template parser', () => {
  it('splits text and references, keeping \\{{ as literal text', () => {
    expect(parseTemplate('a {{ input.x }} \\{{b}}')).toEqual([
      { text: 'a ' },
      { ref: { root: 'input', path: ['x'], raw: 'input.x' } },
      { text: ' {{b}}' },
    ]);
  });

  it('reports malformed templates with a reason', () => {
    expect(() => parseTemplate('Hello {{input.name')).toThrow(/unclosed/);
    expect(() => parseTemplate('{{nodes.a.result}}')).toThrow(/\.output/);
    expect(() => parseTemplate('{{env.HOME}}')).toThrow(/unknown reference/);
    expect(() => parseTemplate('{{}}')).toThrow('empty reference "{{}}"');
  });

  it('walks every string of a binding with its path, quoting keys that are not names', () => {
    const seen: [string, string][] = [];
    walkStrings({ x: 'a', y: ['b', { 'odd key': 'c' }], n: 1 }, 'inputs', (s, at) => seen.push([s, at]));
    expect(seen).toEqual([
      ['a', 'inputs.x'],
      ['b', 'inputs.y[0]'],
      ['c', 'inputs.y[1]["odd key"]'],
    ]);
  });

  it('finds a template at any depth', () => {
    expect(hasTemplate({ a: [{ b: 'x {{input.y}}' }] })).toBe(true);
    expect(hasTemplate({ a: ['{ {not}}', 3] })).toBe(false);
  });
});

describe('renameReferences', () => {
  const rename = new Map([['fetch', 'fetch_2']]);

  it('renames node references deep inside a binding, leaving the rest of the text as written', () => {
    expect(renameReferences({ a: ['Read {{ nodes.fetch.output.text }} and {{nodes.other.output}}'], n: 3 }, rename)).toEqual({
      a: ['Read {{ nodes.fetch_2.output.text }} and {{nodes.other.output}}'],
      n: 3,
    });
  });

  it('does not rename ids that merely start with the old id, escaped braces, or inputs of that name', () => {
    expect(renameReferences('{{nodes.fetcher.output}} \\{{nodes.fetch.output}} {{input.fetch}}', rename)).toBe(
      '{{nodes.fetcher.output}} \\{{nodes.fetch.output}} {{input.fetch}}',
    );
  });

  it('renames every reference to the node in one string', () => {
    expect(renameReferences('{{nodes.fetch.output.a}}-{{nodes.fetch.output.b}}', rename)).toBe('{{nodes.fetch_2.output.a}}-{{nodes.fetch_2.output.b}}');
  });

  it('leaves a string whose template does not parse as it is', () => {
    expect(renameReferences('{{nodes.fetch.output}} {{unclosed', rename)).toBe('{{nodes.fetch.output}} {{unclosed');
  });
});
