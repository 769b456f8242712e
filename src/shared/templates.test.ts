import { describe, expect, it } from 'vitest';
import { findReferences, findTemplateErrors, parseTemplate, renameReferences } from './templates';

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
    expect(findTemplateErrors({ a: { b: '{{}}' } })).toEqual([{ message: 'empty reference "{{}}"', at: 'a.b' }]);
  });

  it('finds every reference with where it is', () => {
    const refs = findReferences({ x: '{{nodes.a.output.t}} and {{input.q}}', y: ['{{nodes.b.output}}'] });
    expect(refs.map((r) => [r.ref.root, r.ref.nodeId, r.at])).toEqual([
      ['nodes', 'a', 'x'],
      ['input', undefined, 'x'],
      ['nodes', 'b', 'y[0]'],
    ]);
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
