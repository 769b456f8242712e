import { describe, expect, it } from 'vitest';
import { builtinCatalog, builtinRegistry, builtinValidate } from '../../../tests/support/catalog';
import { runOnEngine } from '../../../tests/support/run-on-engine';
import { useTempWorkspaces } from '../../../tests/support/temp-workspace';
import type { Workflow } from '../../contract';
import { readGoal } from './goal';
import { literal, planOffline } from './offline';

const registry = builtinRegistry();
const catalog = builtinCatalog();
const validate = builtinValidate(registry);

const chain = (w: Workflow) => w.nodes.map((n) => (n.kind === 'map' ? `map:${n.tool}` : (n.tool ?? n.kind)));

function plan(goal: string, llm = false) {
  const p = planOffline(goal, catalog, { llm });
  const v = validate(p.workflow);
  expect(v.problems).toEqual([]);
  return p;
}

const workspace = useTempWorkspaces('awe-offline-');

describe('planOffline', () => {
  it('is deterministic: the same goal gives the identical workflow', () => {
    for (const goal of ['Summarise https://example.com/post into a report', 'Index the markdown files in docs/', 'make me a sandwich']) {
      expect(planOffline(goal, catalog)).toEqual(planOffline(goal, catalog));
    }
    const id = planOffline('Index the markdown files in docs/', catalog).workflow.id;
    expect(id).toMatch(/^folder-index-index-the-markdown-files-in-docs-[0-9a-f]{6}$/);
    expect(planOffline('Index the files in notes/', catalog).workflow.id).not.toBe(id);
  });

  it('URL goal: fetch → extract → save without a model, fetch → llm → save with one', () => {
    const offline = plan('Summarise https://example.com/blog/post?id=3. into a short report');
    expect(chain(offline.workflow)).toEqual(['http.fetch', 'json.transform', 'artifact.save']);
    expect(offline.workflow.settings.inputs?.url?.default).toBe('https://example.com/blog/post?id=3');
    expect(offline.explanation).toContain('--allow http.fetch');
    const withModel = plan('Summarise https://example.com/blog into a short report', true);
    expect(chain(withModel.workflow)).toEqual(['http.fetch', 'llm.generate', 'artifact.save']);
    expect(withModel.workflow.nodes[1].acceptance?.criteria?.length).toBeGreaterThan(0);
  });

  it('folder index: list → filter → map read → index → save, and the plan runs on a real folder', async () => {
    const p = plan('Build an index of the markdown files in docs/');
    expect(chain(p.workflow)).toEqual(['file.list', 'json.transform', 'map:file.read', 'json.transform', 'artifact.save']);
    const dir = await workspace({ 'docs/intro.md': '# Introduction\nhello', 'docs/guide/setup.md': '\n# Setup | install\n', 'docs/logo.svg': '<svg/>', 'other.md': 'x' });
    const run = await runOnEngine(p.workflow, { workspaceDir: dir });
    expect(run.artifacts).toHaveLength(1);
    const index = run.artifacts[0].content;
    expect(index).toContain('# Index of docs');
    expect(index).toContain('| docs/intro.md | 20 | Introduction |');
    expect(index).toContain('docs/guide/setup.md');
    expect(index).toContain('Setup \\| install');
    expect(index).not.toContain('logo.svg'); // only markdown was asked for
    expect(index).not.toContain('other.md'); // outside the folder
  });

  it('CSV transform: read → clean → save, removing blank and duplicate rows', async () => {
    const p = plan('Clean up data/customers.csv and remove duplicates');
    expect(chain(p.workflow)).toEqual(['file.read', 'json.transform', 'artifact.save']);
    const dir = await workspace({ 'data/customers.csv': 'name, age\n alice ,30\n\nbob,41\nalice,30\n' });
    const run = await runOnEngine(p.workflow, { workspaceDir: dir });
    expect(run.artifacts[0].name).toBe('customers.clean.csv');
    expect(run.artifacts[0].content.trim()).toBe('name,age\nalice,30\nbob,41');
  });

  it('JSON transform: read → clean → save as JSON', async () => {
    const p = plan('Transform records.json: normalise the entries');
    expect(chain(p.workflow)).toEqual(['file.read', 'json.transform', 'artifact.save']);
    const dir = await workspace({ 'records.json': JSON.stringify([{ a: ' x ' }, null, { a: 'x' }, { b: 2 }]) });
    const run = await runOnEngine(p.workflow, { workspaceDir: dir });
    expect(JSON.parse(run.artifacts[0].content)).toEqual([{ a: 'x' }, { b: 2 }]);
  });

  it('code review of a file: read → rule checks → save; with a model an llm review is added', async () => {
    const p = plan('Review src/server.ts and write up the findings');
    expect(chain(p.workflow)).toEqual(['file.read', 'json.transform', 'artifact.save']);
    const dir = await workspace({ 'src/server.ts': `const x = 1;\n// FIXME: handle errors\nconsole.log(x);\n${'y'.repeat(130)}\n` });
    const run = await runOnEngine(p.workflow, { workspaceDir: dir });
    const report = run.artifacts[0].content;
    expect(report).toContain('src/server.ts:2 — todo');
    expect(report).toContain('src/server.ts:3 — debug-output');
    expect(report).toContain('src/server.ts:4 — long-line');
    expect(chain(plan('Review src/server.ts and write up the findings', true).workflow)).toEqual([
      'file.read',
      'json.transform',
      'llm.generate',
      'artifact.save',
    ]);
  });

  it('code review of a folder maps over its source files', async () => {
    const p = plan('Audit the code in lib/ for problems');
    expect(chain(p.workflow)).toEqual(['file.list', 'json.transform', 'map:file.read', 'json.transform', 'json.transform', 'artifact.save']);
    const dir = await workspace({ 'lib/a.py': 'print("debug")\n', 'lib/b.js': 'ok();\n', 'lib/readme.md': 'TODO' });
    const run = await runOnEngine(p.workflow, { workspaceDir: dir });
    const report = run.artifacts[0].content;
    expect(report).toContain('2 file(s) checked');
    expect(report).toContain('lib/a.py:1 — debug-output');
    expect(report).not.toContain('readme');
  });

  it('runbook: template → save; deploy goals get an approval step before saving', async () => {
    const plain = plan('Write an onboarding checklist for new engineers');
    expect(chain(plain.workflow)).toEqual(['text.template', 'artifact.save']);
    const run = await runOnEngine(plain.workflow, { workspaceDir: await workspace({}) });
    expect(run.artifacts[0].name).toBe('checklist.md');
    expect(run.artifacts[0].content).toContain('# Write an onboarding checklist for new engineers');
    expect(run.artifacts[0].content).toContain('- [ ] Create accounts');

    const deploy = plan('Create a runbook to deploy the API to production');
    expect(chain(deploy.workflow)).toEqual(['text.template', 'human.approve', 'artifact.save']);
    expect(deploy.workflow.nodes[1].kind).toBe('approval');
    const approved = await runOnEngine(deploy.workflow, { workspaceDir: await workspace({}) });
    expect(approved.approvals).toHaveLength(1);
    expect(approved.artifacts[0].content).toContain('## Rollback');
  });

  it('a goal that asks to review before saving, or is about a rollback, gets the approval step too', () => {
    for (const goal of [
      'Draft a rollback runbook for the orders service and ask me before saving',
      'Write a runbook for the billing cutover; check with me first',
      'Write an onboarding checklist, confirm with me before saving it',
      'Draft an incident response runbook and let me review it',
      'Write a playbook to roll back the search index',
    ]) {
      // (a goal naming a service first reads the notes in the workspace: see journeys.integration.test.ts)
      expect(chain(plan(goal).workflow).slice(-3), goal).toEqual(['text.template', 'human.approve', 'artifact.save']);
    }
    expect(chain(plan('Write a runbook for rotating the logs').workflow)).toEqual(['text.template', 'artifact.save']);
  });

  it('an unknown goal gets one explanation node that lists the supported goal kinds', async () => {
    const p = plan('make me a {{sandwich}}');
    expect(chain(p.workflow)).toEqual(['text.template']);
    expect(p.explanation).toContain('did not recognise');
    const run = await runOnEngine(p.workflow, { workspaceDir: await workspace({}) });
    const text = (run.outputs.explain as { text: string }).text;
    expect(text).toContain('"make me a {{sandwich}}"'); // the goal's braces are kept literally, not read as a reference
    expect(text).toContain('fetch a URL');
    expect(text).toContain('checklist or runbook');
  });

  it('only uses tools in the catalog: without file tools a folder goal is explained, not planned', () => {
    const noFiles = catalog.filter((t) => !t.name.startsWith('file.'));
    const p = planOffline('Index the files in docs/', noFiles);
    expect(p.workflow.nodes.map((n) => n.id)).toEqual(['explain']);
    expect(p.explanation).toContain('file.list');
  });
});

describe('readGoal', () => {
  it('finds the URL, path and kind', () => {
    expect(readGoal('Summarise https://a.example/x, please')).toMatchObject({ kind: 'url-summary', url: 'https://a.example/x' });
    expect(readGoal('review ./src/app.tsx')).toMatchObject({ kind: 'code-review', path: './src/app.tsx', pathIsFile: true });
    expect(readGoal('catalogue the files in the notes folder')).toMatchObject({ kind: 'folder-index', path: 'notes', pathIsFile: false });
    expect(readGoal('Index the files in docs/')).toMatchObject({ kind: 'folder-index', path: 'docs/' });
    expect(readGoal('what is the meaning of life?')).toMatchObject({ kind: 'unknown' });
  });

  it('literal() escapes template braces', () => {
    expect(literal('a {{b}} c')).toBe('a \\{{b}} c');
  });
});
