/**
 * The offline planner: deterministic, rule-based, no model and no key needed. It reads
 * the goal (goal.ts), picks one of a few plan shapes, and fills it with real tool calls.
 * Same goal, same catalog, same options → the same workflow (no clock, no randomness).
 * What it understands is documented in docs/planner.md; anything else gets an honest
 * one-node plan that says so.
 */
import { Workflow, type ToolInfo, type WorkflowInput } from '../../contract';
import { describeFilter, readDirectives, type GoalDirectives, type OutputFormat } from './directives';
import {
  cleanCsv,
  cleanJson,
  CODE_CHECKS,
  CODE_EXTENSIONS,
  DOCS_FROM_READS,
  FOLDER_INDEX,
  NOTE_EXTENSIONS,
  NOTES_COMMANDS,
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

  const directives = readDirectives(goal, { path: reading.path, url: reading.url });
  const notes: string[] = [];
  // The output formats each kind can write; a format the goal asks for outside them is reported, not ignored.
  let formats: OutputFormat[] = ['markdown'];
  switch (reading.kind) {
    case 'url-summary':
      planUrlSummary(plan, reading, useLlm, notes);
      break;
    case 'folder-index':
      planFolderIndex(plan, reading, notes);
      break;
    case 'data-transform':
      planDataTransform(plan, reading, directives, notes);
      formats = ['json', 'csv', 'markdown'];
      break;
    case 'code-review':
      planCodeReview(plan, reading, useLlm, notes);
      break;
    case 'runbook':
      planRunbook(plan, goal, reading, directives, useLlm && tools.has('llm.generate'), tools.has('human.approve'), tools, notes);
      formats = ['markdown', 'text'];
      break;
  }
  // What the plan leaves out of the goal comes first: it is what a person must act on.
  const unapplied = unappliedNotes(reading.kind, directives, formats);
  const kindInfo = OFFLINE_GOAL_KINDS.find((k) => k.kind === reading.kind)!;
  const explanation = [
    `Offline plan (${useLlm ? 'uses the configured model' : 'no model needed'}): ${kindInfo.summary}, because the goal mentions ${reading.because.join(' and ')}.`,
    `Steps: ${plan.nodes.map((n) => n.id).join(' → ')}.`,
    ...unapplied,
    ...notes,
  ].join(' ');
  return { workflow: plan.build(), explanation };
}

/** What the goal asked for that this plan does not do, in words. */
function unappliedNotes(kind: GoalKind, d: GoalDirectives, formats: OutputFormat[]): string[] {
  const notes: string[] = [];
  if (d.format && !formats.includes(d.format.format)) {
    notes.push(`The goal asks for ${d.format.format} ("${d.format.phrase}"), but this kind of plan writes ${formats.join(' or ')}; it saves ${formats[0]}.`);
  }
  if (d.filters.length > 0 && kind !== 'data-transform') {
    notes.push(`The goal asks to ${d.filters.map(describeFilter).join(' and ')}; the offline planner filters rows only when it cleans a CSV or JSON file, so this plan does not.`);
  }
  if (d.unknown.length > 0) {
    notes.push(
      `The offline planner did not understand ${d.unknown.map((u) => `"${u}"`).join(', ')}, so the plan leaves ${d.unknown.length === 1 ? 'it' : 'them'} out: edit the nodes to add ${d.unknown.length === 1 ? 'it' : 'them'}, or plan with a model.`,
    );
  }
  return notes;
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

function planDataTransform(plan: Draft, r: GoalReading, d: GoalDirectives, notes: string[]): void {
  const isCsv = r.path ? /\.(csv|tsv)$/i.test(r.path) : r.extensions.includes('csv');
  const native = isCsv ? 'csv' : 'json';
  const asked = d.format?.format;
  const format = asked === 'json' || asked === 'csv' || asked === 'markdown' ? asked : native;
  const path = plan.input('path', 'The data file, relative to the run workspace', r.path ?? (isCsv ? 'data.csv' : 'data.json'));
  plan.add({ id: 'read', kind: 'tool', tool: 'file.read', label: 'Read the data file', inputs: { path } });
  const filters = d.filters.map(describeFilter);
  const opts = { filters: d.filters, markdown: format === 'markdown' };
  plan.add(
    {
      id: 'clean',
      kind: 'tool',
      tool: 'json.transform',
      label: `${isCsv ? 'Clean the CSV rows' : 'Clean the JSON data'}${filters.length ? `, ${filters.join(', ')}` : ''}`,
      description: `Trims values, drops blank and duplicate rows, types numbers${filters.length ? `, then ${filters.join(' and ')} (empty, null, "n/a", "none" and "-" count as no value)` : ''}. Edit the JSONata expression to transform differently.`,
      inputs: { data: '{{nodes.read.output}}', expression: isCsv ? cleanCsv(opts) : cleanJson(opts) },
      acceptance: { requiredFields: [isCsv ? 'result.csv' : 'result.json'] },
    },
    ['read'],
  );
  const base = (r.path ?? (isCsv ? 'data.csv' : 'data.json')).split('/').pop()!.replace(/\.[^.]+$/, '');
  const rows = isCsv ? 'rows' : 'data';
  // The native text as it is; another format from the rows (artifact.save writes an array of rows as CSV or JSON).
  const content = format === 'markdown' ? 'markdown' : format === native ? native : rows;
  const ext = format === 'markdown' ? 'md' : format;
  plan.add(save('save', `${base}.clean.${ext}`, `{{nodes.clean.output.result.${content}}}`, format, 'Save the cleaned data'), ['clean']);
  notes.push(
    `The cleaning is generic (trim, drop blank and duplicate ${isCsv ? 'rows, type numbers; CSV split on commas without quoted fields' : 'entries'}); edit the expression on the "clean" node for a specific transformation. The result is saved as an artifact; the input file is not changed.`,
  );
  if (filters.length) notes.push(`As the goal asks, the "clean" node also ${filters.map((f) => f.replace(/^(keep|drop)/, '$1s')).join(' and ')}.`);
  if (asked && asked === format) notes.push(`The result is saved as ${format === 'json' ? 'JSON' : format === 'csv' ? 'CSV' : 'Markdown'}, as the goal asks.`);
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

function planRunbook(
  plan: Draft,
  goal: string,
  r: GoalReading,
  d: GoalDirectives,
  useLlm: boolean,
  canApprove: boolean,
  tools: Set<string>,
  notes: string[],
): void {
  const outline = runbookOutline(goal);
  const commands = readNotes(plan, goal, r, d, tools, notes);
  plan.add(
    {
      id: 'outline',
      kind: 'tool',
      tool: 'text.template',
      label: `Draft the ${outline.noun}`,
      inputs: { template: commands ? `${literal(outline.markdown)}\n{{nodes.${commands}.output.result.markdown}}` : literal(outline.markdown) },
    },
    commands ? [commands] : [],
  );
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
  const text = d.format?.format === 'text';
  plan.add(save('save', text ? outline.fileName.replace(/\.md$/, '.txt') : outline.fileName, doc, text ? 'text' : 'markdown', `Save the ${outline.noun}`), [last]);
}

/**
 * A runbook about a named service, folder or file, or one that mentions notes, is written
 * from the person's notes: the shell commands in them go into the document. Returns the
 * id of the node whose `result.markdown` lists them, or nothing when the goal names no source.
 */
function readNotes(plan: Draft, goal: string, r: GoalReading, d: GoalDirectives, tools: Set<string>, notes: string[]): string | undefined {
  if (!r.path && !d.subject && !/\bnotes?\b/i.test(goal)) return undefined;
  const missing = ['file.list', 'file.read', 'json.transform'].filter((t) => !tools.has(t));
  if (missing.length) {
    notes.push(`The goal points at notes, but the tool catalog lacks ${missing.join(', ')}, so the runbook is written without reading them.`);
    return undefined;
  }
  // "orders service" → "order": matches "orders", "order-api", "deployment/order".
  const about = d.subject ? [d.subject.split(' ')[0].replace(/(?<=\w{3})s$/, '')] : [];
  let docs: unknown;
  let after: string;
  if (r.path && r.pathIsFile) {
    const path = plan.input('notes', 'The notes file, relative to the run workspace', r.path);
    after = plan.add({ id: 'read', kind: 'tool', tool: 'file.read', label: 'Read the notes', inputs: { path } });
    docs = [{ path, text: '{{nodes.read.output.text}}' }];
  } else {
    // Without a named folder the notes are the workspace itself (the folder the person chose): nothing to ask at run time.
    const folder = r.path ? plan.input('notes', 'Folder of notes, relative to the run workspace', r.path.replace(/\/$/, '') || '.') : '.';
    plan.add({ id: 'list', kind: 'tool', tool: 'file.list', label: 'List the notes', inputs: { path: folder, recursive: true } });
    plan.add(
      { id: 'files', kind: 'tool', tool: 'json.transform', label: 'Keep note files', inputs: { data: '{{nodes.list.output}}', expression: selectFiles(NOTE_EXTENSIONS, MAX_FILES) } },
      ['list'],
    );
    plan.add(
      {
        id: 'read',
        kind: 'map',
        tool: 'file.read',
        label: 'Read each note',
        inputs: { items: '{{nodes.files.output.result}}', concurrency: READ_CONCURRENCY, with: { path: '{{item.path}}' } },
      },
      ['files'],
    );
    after = plan.add(
      {
        id: 'collect',
        kind: 'tool',
        tool: 'json.transform',
        label: 'Pair notes with their text',
        inputs: { data: { files: '{{nodes.files.output.result}}', reads: '{{nodes.read.output.results}}' }, expression: DOCS_FROM_READS },
      },
      ['read'],
    );
    docs = '{{nodes.collect.output.result.docs}}';
  }
  plan.add(
    {
      id: 'commands',
      kind: 'tool',
      tool: 'json.transform',
      label: about.length ? `Find the commands about ${d.subject}` : 'Find the commands in the notes',
      description: `Shell commands from the notes: lines of .sh scripts, fenced code blocks and "$ " prompt lines${about.length ? `; those that mention "${about[0]}" when there are any` : ''}.`,
      inputs: { data: { docs, about }, expression: NOTES_COMMANDS },
      acceptance: { requiredFields: ['result.markdown'] },
    },
    [after],
  );
  notes.push(
    `The runbook lists the shell commands found in ${r.path ? `"${r.path}"` : "the run's workspace folder (the notes folder you choose)"} (.${NOTE_EXTENSIONS.join(', .')} files, at most ${MAX_FILES})${about.length ? `, only those that mention "${about[0]}" when there are any` : ''}; check them before use.`,
  );
  return 'commands';
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
