/**
 * A workflow's own `settings.allowTools` is a request, never a grant (issue 10, item 4):
 * a plan from a model cannot carry it, a file's request is ignored headless until the
 * person approves it with `--trust-workflow`, and wildcards beyond `mcp.<server>.*` are
 * refused. The model is a scripted OpenAI-compatible server on 127.0.0.1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonCompletion, startScriptedOpenAI, type ScriptedOpenAI } from '../../tests/support/scripted-openai';
import { lastJson, useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

let model: ScriptedOpenAI;
beforeAll(async () => {
  model = await startScriptedOpenAI();
});
afterAll(async () => {
  await model?.close();
});

const writer = (allowTools?: string[]) => ({
  id: 'self-trusting',
  name: 'Writes a file',
  nodes: [{ id: 'write', kind: 'tool', tool: 'file.write', inputs: { path: 'pwned.txt', content: 'written' } }],
  edges: [],
  ...(allowTools ? { settings: { allowTools } } : {}),
});

describe('allowTools is a request, never a grant', () => {
  it('an LLM plan carrying allowTools ["*"] is stripped: its write tool is refused headless', async () => {
    model.enqueue(jsonCompletion({ workflow: writer(['*']), explanation: 'Writes the file.' }));
    const ws = join(cli.dir, 'ws');
    const r = await cli.start(['run', '--goal', 'write a file', '--planner', 'llm', '--workspace', ws, '--json'], {
      env: { OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'sk-test', AWE_LLM_MODEL: 'scripted-model' },
    }).result;
    // The model was asked with a schema that has no allowTools at all.
    const sent = JSON.stringify(model.requests.at(-1)!.body.response_format);
    expect(sent).toContain('concurrency');
    expect(sent).not.toContain('allowTools');
    expect(r.code).toBe(1);
    const result = lastJson(r.stdout);
    expect(result.nodes.write).toMatchObject({ status: 'failed', error: { class: 'permanent', code: 'POLICY' } });
    expect(existsSync(join(ws, 'pwned.txt'))).toBe(false);
  }, 60_000);

  it('a file requesting a tool is refused headless until --trust-workflow, which is remembered for that exact list', async () => {
    const ws = join(cli.dir, 'ws');
    const file = cli.write('writer.awe.json', writer(['file.write']));
    const refused = await cli.awe('run', file, '--workspace', ws, '--json');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/asks to allow file\.write.*not approved.*--trust-workflow/);
    expect(lastJson(refused.stdout).nodes.write).toMatchObject({ status: 'failed', error: { code: 'POLICY' } });
    expect(existsSync(join(ws, 'pwned.txt'))).toBe(false);

    const trusted = await cli.awe('run', file, '--trust-workflow', '--workspace', ws, '--json');
    expect(trusted.code).toBe(0);
    expect(readFileSync(join(ws, 'pwned.txt'), 'utf8')).toBe('written');
    // Approved once for this document: the next run needs no flag.
    expect((await cli.awe('run', file, '--workspace', ws, '--json')).code).toBe(0);

    // A changed request asks again.
    const widened = cli.write('writer.awe.json', writer(['file.write', 'http.fetch']));
    const again = await cli.awe('run', widened, '--workspace', join(cli.dir, 'ws2'), '--json');
    expect(again.code).toBe(1);
    expect(lastJson(again.stdout).nodes.write.error.code).toBe('POLICY');
  }, 90_000);

  it('refuses wildcards beyond mcp.<server>.* as a validation problem', async () => {
    // Every other pattern is covered by workflow-trust.test.ts; here the whole path from a file.
    const r = await cli.awe('run', cli.write('wild.awe.json', writer(['*'])), '--trust-workflow', '--workspace', join(cli.dir, 'ws'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/settings\.allowTools\[0\].*"\*" is not allowed.*mcp\.<server>\.\*/);
    expect(existsSync(join(cli.dir, 'ws', 'pwned.txt'))).toBe(false);
    const ok = await cli.awe('validate', cli.write('mcp.awe.json', writer(['mcp.files.*', 'file.write'])));
    expect(ok.code).toBe(0);
  }, 90_000);
});
