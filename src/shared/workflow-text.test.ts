import { describe, expect, it } from 'vitest';
import { MAX_WORKFLOW_FILE_BYTES, MAX_WORKFLOW_NESTING, parseWorkflowJson, serializeWorkflow, utf8Length, WORKFLOW_SCHEMA_ID } from './workflow-text';

describe('workflow text', () => {
  it('counts UTF-8 bytes as an encoder does, surrogate pairs as 4', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀é€', '\ud800 lone', 'x\udc00']) {
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    }
  });

  it('refuses a text over the size limit unparsed, with its size', () => {
    // 3-byte characters: a text under the limit in UTF-16 units but over it in bytes.
    const text = `"${'€'.repeat(MAX_WORKFLOW_FILE_BYTES / 3 + 1)}"`;
    expect(parseWorkflowJson(text)).toEqual({ ok: false, problems: [{ code: 'too-large', message: 'file is 20.0 MB; the limit is 20 MB' }] });
  });

  it('refuses nesting over the limit, and says where JSON breaks', () => {
    const deep = `${'['.repeat(MAX_WORKFLOW_NESTING + 1)}${']'.repeat(MAX_WORKFLOW_NESTING + 1)}`;
    expect(parseWorkflowJson(deep)).toMatchObject({ ok: false, problems: [{ code: 'too-large', message: expect.stringMatching(/nested 201 levels deep/) }] });
    expect(parseWorkflowJson('{"a": }')).toMatchObject({ ok: false, problems: [{ code: 'parse', message: expect.stringMatching(/^not valid JSON: .*line 1/) }] });
  });

  it('reads past a byte order mark', () => {
    expect(parseWorkflowJson('\uFEFF{"id":"x"}')).toEqual({ ok: true, doc: { id: 'x' } });
  });

  it('writes $schema first and replaces an old one, ending with a newline', () => {
    const text = serializeWorkflow({ $schema: 'old', id: 'w', name: 'W', version: 1, nodes: [], edges: [], settings: {} });
    expect(text.startsWith(`{\n  "$schema": "${WORKFLOW_SCHEMA_ID}",\n  "id": "w"`)).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseWorkflowJson(text)).toMatchObject({ ok: true, doc: { $schema: WORKFLOW_SCHEMA_ID, id: 'w' } });
  });
});
