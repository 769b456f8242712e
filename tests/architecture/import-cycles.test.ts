/**
 * No import cycles in src, type-only imports included: a cycle between two modules means
 * neither can be read, tested or moved without the other (issue 11: scheduler ⇄ node-runner).
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, sourceFiles } from './import-graph';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the import graph of src', () => {
  it('has no cycles', () => {
    const cycles = findCycles(ROOT, sourceFiles(join(ROOT, 'src')));
    expect(cycles.map((c) => c.join(' → '))).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself can fail)', () => {
    const files = new Map([
      ['/x/a.ts', "import type { B } from './b';\nexport type A = B;"],
      ['/x/b.ts', "import { a } from './c';\nexport type B = 1;"],
      ['/x/c.ts', "export { a } from './a';"],
      ['/x/d.ts', "import './a';"],
    ]);
    const cycles = findCycles('/x', [...files.keys()], (f) => files.get(f));
    expect(cycles).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });
});
