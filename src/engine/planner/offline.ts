/**
 * The offline planner: deterministic, rule-based, no model and no key needed. It reads
 * the goal (goal.ts), picks one of a few plan shapes, and fills it with real tool calls.
 * Same goal, same catalog, same options → the same workflow (no clock, no randomness).
 * What it understands is documented in docs/planner.md; anything else gets an honest
 * one-node plan that says so.
 */
import { Workflow, type ToolInfo, type WorkflowInput } from '../../contract';
import {
  CLEAN_CSV,
  CLEAN_JSON,
  CODE_CHECKS,
  CODE_EXTENSIONS,
  DOCS_FROM_READS,
  FOLDER_INDEX,
  PAGE_REPORT,
  selectFiles,
} from './expressions';
import { fingerprint, readGoal, slugify, type GoalKind, type GoalReading } from './goal';
import { runbookOutline } from './runbook';

export interface OfflinePlanOptions {
  /** A model is configured: summaries and reviews then use `llm.generate`. @default false */
  llm?: boolean;
}

export interface OfflinePlan {
  workflow: Workflow;
  explanation: string;
}

type NodeDraft = WorkflowInput['nodes'][number];

/** The goal kinds the offline planner understands, as people would ask for them. */
export const OFFLINE_GOAL_KINDS: { kind: Exclude<GoalKind, 'unknown'>; example: string; summary: string }[] = [
  { kind: 'url-summary', example: 'Summarise https://example.com into a report', summary: 'fetch a URL and summarise it into a Markdown report' },
  { kind: 'folder-index', example: 'Index the markdown files in docs/', summary: 'list the files in a folder and write an index of them' },
  { kind: 'data-transform', example: 'Clean data/customers.csv', summary: 'clean or transform a JSON or CSV file' },
  { kind: 'code-review', example: 'Review src/app.ts and write findings', summary: 'review code (a file or a folder) and write findings' },
  { kind: 'runbook', example: 'Write a deploy checklist for production', summary: 'write a checklist or runbook document (with an approval step for deploys)' },
];

/** Bounded fan-out: how many files a folder plan reads at most, and how many at once. */
const MAX_FILES = 200;
const READ_CONCURRENCY = 4;

export function planOffline(goal: string, catalog: ToolInfo[], opts: OfflinePlanOptions = {}): OfflinePlan {
  const reading = readGoal(goal);
  const tools = new Set(catalog.map((t) => t.name));
  const useLlm = !!opts.llm && tools.has('llm.generate');
  const plan = new Draft(goal, reading.kind);

  const needs = REQUIRED_TOOLS[reading.kind];
  const missing = needs.filter((t) => !tools.has(t));
  if (reading.kind === 'unknown' || missing.length > 0) return explainPlan(plan, goal, reading, missing, tools);

  const notes: string[] = [];
  switch (reading.kind) {
    case 'url-summary':
      planUrlSummary(plan, reading, useLlm, notes);
      break;
    case 'folder-index':
      planFolderIndex(plan, reading, notes);
      break;
    case 'data-transform':
      planDataTransform(plan, reading, notes);
      break;
    case 'code-review':
      planCodeReview(plan, reading, useLlm, notes);
      break;
    case 'runbook':
      planRunbook(plan, goal, reading, useLlm && tools.has('llm.generate'), tools.has('human.approve'), notes);
      break;
  }
  const kindInfo = OFFLINE_GOAL_KINDS.find((k) => k.kind === reading.kind)!;
  const explanation = [
    `Offline plan (${useLlm ? 'uses the configured model' : 'no model needed'}): ${kindInfo.summary}, because the goal mentions ${reading.because.join(' and ')}.`,
    `Steps: ${plan.nodes.map((n) => n.id).join(' → ')}.`,
    ...notes,
  ].join(' ');
  return { workflow: plan.build(), explanation };
}

const REQUIRED_TOOLS: Record<GoalKind, string[]> = {
  'url-summary': ['http.fetch', 'json.transform', 'artifact.save'],
  'folder-index': ['file.list', 'file.read', 'json.transform', 'artifact.save'],
  'data-transform': ['file.read', 'json.transform', 'artifact.save'],
  'code-review': ['file.read', 'json.transform', 'artifact.save'],
  runbook: ['text.template', 'artifact.save'],
  unknown: [],
};

class Draft {
  readonly nodes: NodeDraft[] = [];
  readonly edges: { id: string; source: string; target: string }[] = [];
  readonly inputs: Record<string, { type: 'string'; description: string; default: string }> = {};

  constructor(
    readonly goal: string,
    readonly kind: GoalKind,
  ) {}

  /** Adds a node after `after` (its parents), wiring the edges. */
  add(node: NodeDraft, after: string[] = []): string {
    this.nodes.push(node);
    for (const source of after) this.edges.push({ id: `${source}-to-${node.id}`, source, target: node.id });
    return node.id;
  }

  input(name: string, description: string, value: string): string {
    this.inputs[name] = { type: 'string', description, default: value };
    return `{{input.${name}}}`;
  }

  build(): Workflow {
    const prefix = this.kind === 'unknown' ? 'plan' : this.kind;
    const name = this.goal.trim().replace(/\s+/g, ' ');
    return Workflow.parse({
      id: `${prefix}-${slugify(this.goal)}-${fingerprint(this.goal).slice(0, 6)}`,
      name: name.length > 80 ? `${name.slice(0, 79)}…` : name || 'Untitled goal',
      goal: this.goal,
      version: 1,
      nodes: this.nodes,
      edges: this.edges,
      settings: Object.keys(this.inputs).length ? { inputs: this.inputs } : {},
    });
  }
}

/** Text from the goal put inside a template: `{{` must not be read as a reference. */
export function literal(text: string): string {
  return text.replace(/\\\{\{/g, '\\\\{{').replace(/\{\{/g, '\\{{');
}

const save = (id: string, name: string, content: string, format: 'markdown' | 'json' | 'csv' | 'text', label: string): NodeDraft => ({
  id,
  kind: 'tool',
  tool: 'artifact.save',
  label,
  inputs: { name, content, format },
});

function planUrlSummary(plan: Draft, r: GoalReading, useLlm: boolean, notes: string[]): void {
  const url = plan.input('url', 'The page to summarise', r.url!);
  plan.add({
    id: 'fetch',
    kind: 'tool',
    tool: 'http.fetch',
    label: 'Fetch the page',
    inputs: { url },
    retry: { max: 2, policy: 'transient' },
    timeoutMs: 30_000,
  });
  if (useLlm) {
    plan.add(
      {
        id: 'summarise',
        kind: 'llm',
        tool: 'llm.generate',
        label: 'Summarise with the model',
        inputs: {
          system: 'You write short, accurate research summaries in Markdown. Only state what the page says.',
          prompt: `Goal: ${literal(plan.goal)}\n\nSummarise the page at {{input.url}} for this goal: a title, 3-7 key points as bullets, and open questions.\n\nPage content:\n{{nodes.fetch.output.text}}`,
        },
        retry: { max: 2, policy: 'transient' },
        acceptance: { nonEmpty: true, field: 'text', criteria: ['summarises the main points of the page', 'is Markdown with a title and bullet points'] },
      },
      ['fetch'],
    );
    plan.add(save('save', 'summary.md', `{{nodes.summarise.output.text}}\n\nSource: {{input.url}}\n`, 'markdown', 'Save the summary'), ['summarise']);
  } else {
    plan.add(
      {
        id: 'extract',
        kind: 'tool',
        tool: 'json.transform',
        label: 'Extract title, headings and text',
        description: 'Without a model: title, headings and the first 1500 characters of text, as Markdown.',
        inputs: { data: { page: '{{nodes.fetch.output}}', url }, expression: PAGE_REPORT },
        acceptance: { nonEmpty: true, field: 'result' },
      },
      ['fetch'],
    );
    plan.add(save('save', 'summary.md', '{{nodes.extract.output.result}}', 'markdown', 'Save the report'), ['extract']);
    notes.push('Without a model the report is an extract (title, headings, excerpt), not a written summary; set OPENAI_API_KEY or a key in Settings for one.');
  }
  notes.push('http.fetch reaches the network: the run asks before its first call (headless: `--allow http.fetch`).');
}

function planFolderIndex(plan: Draft, r: GoalReading, notes: string[]): void {
  const folder = plan.input('folder', 'Folder to index, relative to the run workspace', r.path && !r.pathIsFile ? r.path.replace(/\/$/, '') || '.' : '.');
  plan.add({ id: 'list', kind: 'tool', tool: 'file.list', label: 'List the folder', inputs: { path: folder, recursive: true } });
  plan.add(
    {
      id: 'files',
      kind: 'tool',
      tool: 'json.transform',
      label: r.extensions.length ? `Keep ${r.extensions.map((e) => `.${e}`).join(', ')} files` : 'Keep files',
      inputs: { data: '{{nodes.list.output}}', expression: selectFiles(r.extensions, MAX_FILES) },
    },
    ['list'],
  );
  plan.add(
    {
      id: 'read',
      kind: 'map',
      tool: 'file.read',
      label: 'Read each file',
      inputs: { items: '{{nodes.files.output.result}}', concurrency: READ_CONCURRENCY, with: { path: '{{item.path}}' } },
    },
    ['files'],
  );
  plan.add(
    {
      id: 'index',
      kind: 'tool',
      tool: 'json.transform',
      label: 'Build the index',
      inputs: { data: { folder, files: '{{nodes.files.output.result}}', reads: '{{nodes.read.output.results}}' }, expression: FOLDER_INDEX },
    },
    ['read'],
  );
  plan.add(save('save', 'index.md', '{{nodes.index.output.result}}', 'markdown', 'Save the index'), ['index']);
  notes.push(`Paths are relative to the run's workspace folder (\`--workspace DIR\`); at most ${MAX_FILES} files are read.`);
}

function planDataTransform(plan: Draft, r: GoalReading, notes: string[]): void {
  const isCsv = r.path ? /\.(csv|tsv)$/i.test(r.path) : r.extensions.includes('csv');
  const path = plan.input('path', 'The data file, relative to the run workspace', r.path ?? (isCsv ? 'data.csv' : 'data.json'));
  plan.add({ id: 'read', kind: 'tool', tool: 'file.read', label: 'Read the data file', inputs: { path } });
  plan.add(
    {
      id: 'clean',
      kind: 'tool',
      tool: 'json.transform',
      label: isCsv ? 'Clean the CSV rows' : 'Clean the JSON data',
      description: 'Trims values, drops blank and duplicate rows, types numbers. Edit the JSONata expression to transform differently.',
      inputs: { data: '{{nodes.read.output}}', expression: isCsv ? CLEAN_CSV : CLEAN_JSON },
      acceptance: { requiredFields: [isCsv ? 'result.csv' : 'result.json'] },
    },
    ['read'],
  );
  const base = (r.path ?? (isCsv ? 'data.csv' : 'data.json')).split('/').pop()!.replace(/\.[^.]+$/, '');
  plan.add(
    save('save', `${base}.clean.${isCsv ? 'csv' : 'json'}`, isCsv ? '{{nodes.clean.output.result.csv}}' : '{{nodes.clean.output.result.json}}', isCsv ? 'csv' : 'json', 'Save the cleaned data'),
    ['clean'],
  );
  notes.push(
    `The cleaning is generic (trim, drop blank and duplicate ${isCsv ? 'rows, type numbers; CSV split on commas without quoted fields' : 'entries'}); edit the expression on the "clean" node for a specific transformation. The result is saved as an artifact; the input file is not changed.`,
  );
}

function planCodeReview(plan: Draft, r: GoalReading, useLlm: boolean, notes: string[]): void {
  let checksAfter: string[];
  let checksData: unknown;
  if (r.path && r.pathIsFile) {
    const path = plan.input('path', 'The file to review, relative to the run workspace', r.path);
    plan.add({ id: 'read', kind: 'tool', tool: 'file.read', label: 'Read the code', inputs: { path } });
    checksAfter = ['read'];
    checksData = { docs: [{ path, text: '{{nodes.read.output.text}}' }] };
  } else {
    const folder = plan.input('folder', 'Folder to review, relative to the run workspace', r.path?.replace(/\/$/, '') || '.');
    plan.add({ id: 'list', kind: 'tool', tool: 'file.list', label: 'List the code', inputs: { path: folder, recursive: true } });
    plan.add(
      {
        id: 'files',
        kind: 'tool',
        tool: 'json.transform',
        label: 'Keep source files',
        inputs: { data: '{{nodes.list.output}}', expression: selectFiles(r.extensions.length ? r.extensions : CODE_EXTENSIONS, MAX_FILES) },
      },
      ['list'],
    );
    plan.add(
      {
        id: 'read',
        kind: 'map',
        tool: 'file.read',
        label: 'Read each file',
        inputs: { items: '{{nodes.files.output.result}}', concurrency: READ_CONCURRENCY, with: { path: '{{item.path}}' } },
      },
      ['files'],
    );
    plan.add(
      {
        id: 'collect',
        kind: 'tool',
        tool: 'json.transform',
        label: 'Pair files with their text',
        inputs: { data: { files: '{{nodes.files.output.result}}', reads: '{{nodes.read.output.results}}' }, expression: DOCS_FROM_READS },
      },
      ['read'],
    );
    checksAfter = ['collect'];
    checksData = '{{nodes.collect.output.result}}';
  }
  plan.add(
    {
      id: 'checks',
      kind: 'tool',
      tool: 'json.transform',
      label: 'Rule checks',
      description: 'TODO/FIXME markers, long lines, leftover debug output, trailing whitespace, very long files.',
      inputs: { data: checksData, expression: CODE_CHECKS },
      acceptance: { requiredFields: ['result.markdown'] },
    },
    checksAfter,
  );
  if (useLlm) {
    plan.add(
      {
        id: 'review',
        kind: 'llm',
        tool: 'llm.generate',
        label: 'Model review',
        inputs: {
          system: 'You are a senior engineer reviewing code. Be specific: file, line, problem, suggested fix. Markdown.',
          prompt: `Goal: ${literal(plan.goal)}\n\nReview this code. Rule checks already found:\n{{nodes.checks.output.result.markdown}}\n\nCode:\n${checksAfter[0] === 'read' && r.pathIsFile ? '{{nodes.read.output.text}}' : '{{nodes.collect.output.result.docs}}'}`,
        },
        retry: { max: 2, policy: 'transient' },
        acceptance: { nonEmpty: true, field: 'text', criteria: ['names concrete problems with their location', 'suggests a fix for each problem'] },
      },
      ['checks'],
    );
    plan.add(save('save', 'review.md', '{{nodes.checks.output.result.markdown}}\n\n## Model review\n\n{{nodes.review.output.text}}\n', 'markdown', 'Save the findings'), ['review']);
  } else {
    plan.add(save('save', 'review.md', '{{nodes.checks.output.result.markdown}}', 'markdown', 'Save the findings'), ['checks']);
    notes.push('Without a model the review is rule-based (markers, long lines, debug output, whitespace, file length); configure a model for a written review.');
  }
  notes.push("Paths are relative to the run's workspace folder (`--workspace DIR`).");
}

function planRunbook(plan: Draft, goal: string, r: GoalReading, useLlm: boolean, canApprove: boolean, notes: string[]): void {
  const outline = runbookOutline(goal);
  plan.add({ id: 'outline', kind: 'tool', tool: 'text.template', label: `Draft the ${outline.noun}`, inputs: { template: literal(outline.markdown) } });
  let doc = '{{nodes.outline.output.text}}';
  let last = 'outline';
  if (useLlm) {
    last = plan.add(
      {
        id: 'write',
        kind: 'llm',
        tool: 'llm.generate',
        label: `Write the ${outline.noun}`,
        inputs: {
          system: 'You write precise operational documents in Markdown: numbered steps, owners, checks, and a rollback or escalation path.',
          prompt: `Goal: ${literal(goal)}\n\nComplete this ${outline.noun}, keeping its structure and making each step concrete:\n\n{{nodes.outline.output.text}}`,
        },
        retry: { max: 2, policy: 'transient' },
        acceptance: { nonEmpty: true, field: 'text' },
      },
      ['outline'],
    );
    doc = '{{nodes.write.output.text}}';
  }
  if (r.risky && canApprove) {
    last = plan.add(
      { id: 'approve', kind: 'approval', tool: 'human.approve', label: 'Approve before publishing', inputs: { message: `Approve this ${outline.noun} before it is saved?\n\n${doc}` } },
      [last],
    );
    notes.push('The goal mentions deploying, production, a rollback or asks for a review first, so a person approves the document before it is saved.');
  }
  plan.add(save('save', outline.fileName, doc, 'markdown', `Save the ${outline.noun}`), [last]);
}

function explainPlan(plan: Draft, goal: string, r: GoalReading, missing: string[], tools: Set<string>): OfflinePlan {
  const kinds = OFFLINE_GOAL_KINDS.map((k) => `- ${k.summary} (e.g. "${k.example}")`).join('\n');
  const reason =
    missing.length > 0
      ? `The goal looks like "${r.kind}", but the tool catalog lacks ${missing.join(', ')}.`
      : 'The offline planner did not recognise what kind of task this goal is.';
  const text = `AWE could not plan the goal "${goal}" offline. ${reason}\n\nThe offline planner understands goals that:\n${kinds}\n\nRephrase the goal as one of these, or configure a model (OPENAI_API_KEY or Settings) and use the LLM planner.`;
  if (tools.has('text.template')) {
    plan.add({ id: 'explain', kind: 'tool', tool: 'text.template', label: 'Why there is no plan', inputs: { template: literal(text) } });
  } else {
    plan.add({ id: 'explain', kind: 'output', label: 'Why there is no plan', inputs: { explanation: literal(text) } });
  }
  // The person reads this first: say what was not understood, then goals that would be.
  const suggestions = OFFLINE_GOAL_KINDS.map((k) => `"${k.example}"`).join('; ');
  const explanation =
    missing.length > 0
      ? `${reason} Without it, nothing of this goal can run. Goals the offline planner can plan with the tools present: ${suggestions}.`
      : `${reason} It plans goals like these: ${suggestions}. Rephrase the goal like one of them, or configure a model in Settings for any goal.`;
  return { workflow: plan.build(), explanation };
}
