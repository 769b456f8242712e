import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues } from './issues';

const words = (schema: z.ZodType, value: unknown, root = 'input') => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a failure');
  return formatIssues(r.error.issues, root);
};

describe('zod issues in words a person reads', () => {
  it('says a missing field is required, whatever zod calls it', () => {
    expect(words(z.object({ name: z.string() }), {})).toBe('input.name: is required');
    expect(words(z.object({ content: z.unknown().nonoptional() }), {})).toBe('input.content: is required');
    expect(words(z.object({ content: z.union([z.string(), z.array(z.string())]) }), {})).toBe('input.content: is required');
  });

  it('names types as words, and what was given instead', () => {
    expect(words(z.object({ ms: z.number() }), { ms: 'soon' })).toBe('input.ms: should be a number, not a text');
    expect(words(z.object({ c: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]) }), { c: 5 })).toBe(
      'input.c: should be a text, an object or a list, not a number',
    );
    expect(words(z.object({ on: z.boolean() }), { on: 'yes' })).toBe('input.on: should be true or false, not a text');
  });

  it('lists options, bounds and formats without symbols', () => {
    expect(words(z.object({ format: z.enum(['text', 'markdown']) }), { format: 'doc' })).toBe('input.format: should be one of: text, markdown');
    expect(words(z.object({ name: z.string().min(1) }), { name: '' })).toBe('input.name: must not be empty');
    expect(words(z.object({ name: z.string().max(3) }), { name: 'long' })).toBe('input.name: must be at most 3 characters long');
    expect(words(z.object({ n: z.number().int().min(1) }), { n: 0 })).toBe('input.n: must be at least 1');
    expect(words(z.object({ tags: z.array(z.string()).min(1) }), { tags: [] })).toBe('input.tags: must have at least one item');
    expect(words(z.object({ url: z.url() }), { url: 'nope' })).toBe('input.url: should be a web address (URL)');
    expect(words(z.strictObject({ a: z.string() }), { a: 'x', b: 1 })).toBe('input.b: is not a known field');
  });

  it('keeps messages written for people as they are', () => {
    expect(words(z.object({ id: z.string().regex(/^a/, 'id must start with a') }), { id: 'b' }, '')).toBe('id: id must start with a');
  });

  it('never shows zod jargon', () => {
    const text = [
      words(z.object({ a: z.unknown().nonoptional(), b: z.string().min(2), c: z.number().max(1), d: z.literal('x') }), { b: 'x', c: 5, d: 'y' }),
    ].join(' ');
    expect(text).not.toMatch(/nonoptional|>=|<=|Invalid|expected|received/);
  });
});
