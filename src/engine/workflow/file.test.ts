import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonTransformTool } from '../tools/builtin/json-transform';
import { textTemplateTool } from '../tools/builtin/text-template';
import { utilWaitTool } from '../tools/builtin/util-wait';
import { ToolRegistry } from '../tools/registry';
import { MAX_WORKFLOW_FILE_BYTES, serializeWorkflow, WORKFLOW_SCHEMA_ID } from '../../shared/workflow-text';
import { parseWorkflowText, readWorkflowFile } from './file';
import { DESIGN_EXAMPLE_TEXT } from './examples.testkit';

const tools = new ToolRegistry();
for (const t of [textTemplateTool, jsonTransformTool, utilWaitTool]) tools.register(t);

const dir = mkdtempSync(join(tmpdir(), 'awe-wf-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseWorkflowText', () => {
  it('parses and validates a good document', () => {
    const result = parseWorkflowText(DESIGN_EXAMPLE_TEXT, tools);
    expect(result.ok).toBe(true);
    expect(result.workflow?.id).toBe('greeting');
  });

  it('says where a file stops being JSON', () => {
    const result = parseWorkflowText('{\n  "id": "x",\n  "name": "X"\n  "nodes": []\n}', tools);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ code: 'parse', message: "not valid JSON: line 4, column 3: expected ',' or '}' after a property value, found '\"'" }]);
  });

  it('refuses 50 MB of text without parsing it', () => {
    const huge = `{"id":"x","name":"${'a'.repeat(50 * 1024 * 1024)}"}`;
    const result = parseWorkflowText(huge, tools);
    expect(result.problems).toEqual([{ code: 'too-large', message: 'file is 50.0 MB; the limit is 20 MB' }]);
  });

  it('refuses 10,000 levels of nesting before JSON.parse, without a stack overflow', () => {
    const deep = `{"id":"x","name":"y","nodes":[],"settings":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const result = parseWorkflowText(deep, tools);
    expect(result.problems).toEqual([{ code: 'too-large', message: 'nested 10001 levels deep; the limit is 200' }]);
  });

  it('does not count brackets inside strings as nesting', () => {
    const text = JSON.stringify({ id: 'x', name: 'y', nodes: [{ id: 't', kind: 'tool', tool: 'text.template', inputs: { template: '['.repeat(5000) } }] });
    expect(parseWorkflowText(text, tools).problems).toEqual([]);
  });

  it('accepts a byte-order mark', () => {
    expect(parseWorkflowText(`\uFEFF${DESIGN_EXAMPLE_TEXT}`, tools).ok).toBe(true);
  });

  it('passes on validation problems of well-formed JSON', () => {
    const result = parseWorkflowText('{"id":"x","name":"y","nodes":[{"id":"a","kind":"tool","tool":"nope"}]}', tools);
    expect(result.problems.map((p) => p.code)).toEqual(['unknown-tool']);
  });
});

describe('readWorkflowFile', () => {
  it('reads and validates a file', async () => {
    const path = join(dir, 'greeting.awe.json');
    writeFileSync(path, DESIGN_EXAMPLE_TEXT);
    expect((await readWorkflowFile(path, tools)).ok).toBe(true);
  });

  it('refuses a file over the limit by its size alone', async () => {
    const path = join(dir, 'big.awe.json');
    writeFileSync(path, '');
    // A sparse file: 50 MB long on paper, nothing written to disk.
    const { truncateSync } = await import('node:fs');
    truncateSync(path, 50 * 1024 * 1024);
    const result = await readWorkflowFile(path, tools);
    expect(result.problems).toEqual([{ code: 'too-large', message: 'file is 50.0 MB; the limit is 20 MB' }]);
    expect(MAX_WORKFLOW_FILE_BYTES).toBe(20 * 1024 * 1024);
  });

  it('names a missing file and a folder', async () => {
    expect((await readWorkflowFile(join(dir, 'missing.awe.json'), tools)).problems[0].message).toMatch(/cannot read .*missing\.awe\.json: no such file/);
    expect((await readWorkflowFile(dir, tools)).problems[0].message).toContain('is a folder');
  });
});

describe('serializeWorkflow', () => {
  it('writes pretty JSON pointing at the schema that reads back to the same workflow', () => {
    const workflow = parseWorkflowText(DESIGN_EXAMPLE_TEXT, tools).workflow!;
    const text = serializeWorkflow(workflow);
    expect(text.startsWith(`{\n  "$schema": "${WORKFLOW_SCHEMA_ID}",\n  "id": "greeting"`)).toBe(true);
    const again = parseWorkflowText(text, tools);
    expect(again.ok).toBe(true);
    expect({ ...again.workflow, $schema: undefined }).toEqual({ ...workflow, $schema: undefined });
  });
});
