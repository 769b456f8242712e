import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { designExample } from './examples.testkit';
import { workflowJsonSchemaText } from './schema';

const shippedPath = new URL('../../../resources/awe.schema.json', import.meta.url);

describe('resources/awe.schema.json', () => {
  it('matches a fresh generation from the zod model (run `npm run schema` after changing it)', () => {
    expect(readFileSync(shippedPath, 'utf8')).toBe(workflowJsonSchemaText());
  });

  it('accepts the DESIGN.md §3 example and rejects broken documents, as other editors will', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(shippedPath, 'utf8')) as object);
    expect(validate(designExample()), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ id: 'x', name: 'X', nodes: [{ id: 'a', kind: 'teleport' }] })).toBe(false);
    expect(validate({ id: '1 bad id', name: 'X', nodes: [] })).toBe(false);
    expect(validate({ name: 'X', nodes: [] })).toBe(false);
  });
});
