import { describe, expect, it } from 'vitest';
import { resolveBindings } from './templates';

const scope = {
  nodes: { fetch: { output: { text: 'hello', items: [{ title: 'a' }, { title: 'b' }], n: 3 } } },
  input: { audience: 'engineers', limit: 5 },
};

describe('templates', () => {
  it('keeps the JSON type of a whole-string reference', () => {
    expect(resolveBindings('{{nodes.fetch.output.items}}', scope)).toEqual([{ title: 'a' }, { title: 'b' }]);
    expect(resolveBindings('{{ input.limit }}', scope)).toBe(5);
  });

  it('stringifies references embedded in text, objects as JSON', () => {
    expect(resolveBindings('Summarise {{nodes.fetch.output.text}} for {{input.audience}}', scope)).toBe(
      'Summarise hello for engineers',
    );
    expect(resolveBindings('n={{nodes.fetch.output.n}} first={{nodes.fetch.output.items[0]}}', scope)).toBe(
      'n=3 first={"title":"a"}',
    );
  });

  it('resolves deep inside objects and arrays', () => {
    expect(resolveBindings({ a: ['{{nodes.fetch.output.items[1].title}}'], b: 1 }, scope)).toEqual({ a: ['b'], b: 1 });
  });

  it('names the missing path and what exists', () => {
    expect(() => resolveBindings('{{nodes.fetch.output.body}}', scope)).toThrow(/has no "body" \(it has: text, items, n\)/);
    expect(() => resolveBindings('{{nodes.other.output}}', scope)).toThrow(/node "other" has no output/);
    expect(() => resolveBindings('{{input.missing}}', scope)).toThrow(/input has no "missing"/);
  });

  it('leaves item references for the map node to resolve per item', () => {
    expect(resolveBindings({ path: '{{item.path}}', n: 'x{{index}}' }, scope)).toEqual({ path: '{{item.path}}', n: 'x{{index}}' });
    expect(resolveBindings({ path: '{{item.path}}', i: '{{index}}' }, { ...scope, item: { path: 'a.txt' }, index: 2 })).toEqual({
      path: 'a.txt',
      i: 2,
    });
  });

  it('supports \\{{ as a literal', () => {
    expect(resolveBindings('use \\{{name}} here', scope)).toBe('use {{name}} here');
  });
});
