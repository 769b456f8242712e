/**
 * Workflow validation (DESIGN.md §3): every problem at once, each naming its node or
 * edge, so a person (or the planner) can fix a document in one pass. Linear in the
 * document size; the ancestor checks of every reference are answered together
 * (ancestry.ts), near-linear for chains and trees.
 */
import { Edge, Workflow, WorkflowNode } from '../../contract';
import type { Problem } from '../../contract';
import { answerAncestry, type AncestryQuestion } from './ancestry';
import { buildGraph, type Graph } from '../../shared/graph';
import { didYouMean } from './suggest';
import { branchesFrom, kindInfo, toolOf } from '../../shared/kinds';
import { hasTemplate, parseTemplate, walkStrings, type Reference } from '../../shared/templates';
import { formatPath, issueLines } from '../tools/issues';
import type { ToolSpec } from '../tools/types';
import { allowRequestProblems } from './trust';

/** What validation needs of the registry; `list` enables "did you mean" for tool names. */
export interface ToolLookup {
  get(name: string): ToolSpec | undefined;
  list?(): ToolSpec[];
}

export interface ValidationResult {
  /** True when there are no problems: the workflow can run. */
  ok: boolean;
  problems: Problem[];
  /**
   * The parsed document (defaults applied) whenever it matches the schema, even if
   * other problems remain, so an editor can still open it. Run it only when `ok`.
   */
  workflow?: Workflow;
}

const ENDS = ['source', 'target'] as const;

/** Cycles reported before giving up: each costs a graph rebuild. */
const MAX_CYCLES_REPORTED = 10;

/** The graph the checks built for each workflow they found runnable (the very object returned). */
const graphs = new WeakMap<Workflow, Graph>();

/**
 * The DAG validation built for `workflow` when it returned it as runnable: a run of that
 * object reuses it instead of building it again. Undefined for any other object (a copy,
 * a document validated on a worker thread).
 */
export function validatedGraph(workflow: Workflow): Graph | undefined {
  return graphs.get(workflow);
}

export function validateWorkflow(doc: unknown, tools: ToolLookup): ValidationResult {
  const problems: Problem[] = [];
  const parsed = Workflow.safeParse(doc);
  let nodes: Indexed<WorkflowNode>[];
  let edges: Indexed<Edge>[];
  let workflow: Workflow | undefined;
  if (parsed.success) {
    workflow = parsed.data;
    nodes = indexed(workflow.nodes);
    edges = indexed(workflow.edges);
  } else {
    for (const line of issueLines(parsed.error.issues, '')) {
      problems.push({ code: 'schema', message: `${line.path || '(document)'}: ${line.message}`, path: line.path || undefined, ...owner(doc, line.path) });
    }
    // Keep checking whatever nodes and edges are well-formed on their own.
    const raw = (doc && typeof doc === 'object' ? doc : {}) as { nodes?: unknown; edges?: unknown };
    nodes = salvage(raw.nodes, WorkflowNode);
    edges = salvage(raw.edges, Edge);
  }
  if (workflow) problems.push(...allowRequestProblems(workflow.settings.allowTools));
  // Nothing to run is not a run: refused here so every transport says so before a run is stored.
  if (parsed.success && workflow!.nodes.length === 0) {
    problems.push({ code: 'schema', path: 'nodes', message: 'the workflow has no nodes: add at least one node to run it' });
  }
  const graph = checkStructure(nodes, edges, tools, problems, workflow?.settings.inputs);
  const ok = problems.length === 0;
  // Runnable means no duplicate ids and no dangling edges: the checked graph is the document's own.
  if (ok && workflow) graphs.set(workflow, graph);
  return { ok, problems, workflow };
}

/** The node or edge a schema issue's path falls in (`nodes[3].timeoutMs` → that node's id). */
function owner(doc: unknown, path: string): Pick<Problem, 'nodeId' | 'edgeId'> {
  const m = /^(nodes|edges)\[(\d+)\]/.exec(path);
  if (!m) return {};
  const item = ((doc as Record<string, unknown[]>)[m[1]] ?? [])[Number(m[2])] as { id?: unknown } | undefined;
  if (typeof item?.id !== 'string') return {};
  return m[1] === 'nodes' ? { nodeId: item.id } : { edgeId: item.id };
}

/**
 * Items of a list that fails the schema, each repaired by dropping the top-level fields
 * that failed (a bad `timeoutMs` should not hide the node from edge and reference
 * checks). Items whose id itself is bad are left out. Keeps each item's document index.
 */
function salvage<T>(list: unknown, schema: { safeParse(v: unknown): { success: boolean; data?: T; error?: { issues: { path: PropertyKey[] }[] } } }): Indexed<T>[] {
  if (!Array.isArray(list)) return [];
  const out: Indexed<T>[] = [];
  list.forEach((item, index) => {
    let r = schema.safeParse(item);
    if (!r.success && item && typeof item === 'object' && !Array.isArray(item)) {
      const repaired: Record<string, unknown> = { ...(item as Record<string, unknown>) };
      for (const issue of r.error?.issues ?? []) if (typeof issue.path[0] === 'string') delete repaired[issue.path[0]];
      r = schema.safeParse(repaired);
    }
    if (r.success) out.push({ item: r.data as T, index });
  });
  return out;
}

interface Indexed<T> {
  item: T;
  /** Position in the document, for paths like `nodes[3]`. */
  index: number;
}

const indexed = <T>(list: T[]): Indexed<T>[] => list.map((item, index) => ({ item, index }));

function checkStructure(
  nodes: Indexed<WorkflowNode>[],
  edges: Indexed<Edge>[],
  tools: ToolLookup,
  problems: Problem[],
  declaredInputs: Record<string, unknown> | undefined,
): Graph {
  // Ids: the first occurrence wins; later ones are reported and left out of the graph.
  // Each id's first node with its document index.
  const byId = new Map<string, Indexed<WorkflowNode>>();
  const unique: WorkflowNode[] = [];
  for (const entry of nodes) {
    const { item: n, index: i } = entry;
    const first = byId.get(n.id);
    if (first !== undefined) {
      problems.push({ code: 'duplicate-id', nodeId: n.id, path: `nodes[${i}].id`, message: `node id "${n.id}" is used twice (nodes[${first.index}] and nodes[${i}])` });
    } else {
      byId.set(n.id, entry);
      unique.push(n);
    }
  }
  const edgeIndex = new Map<string, number>();
  const goodEdges: Edge[] = [];
  edges.forEach(({ item: e, index: i }) => {
    const first = edgeIndex.get(e.id);
    if (first !== undefined) {
      problems.push({ code: 'duplicate-id', edgeId: e.id, path: `edges[${i}].id`, message: `edge id "${e.id}" is used twice (edges[${first}] and edges[${i}])` });
    } else edgeIndex.set(e.id, i);
    const from = byId.get(e.source)?.item;
    const to = byId.get(e.target);
    if (!from || !to) {
      for (const end of ENDS) {
        if (byId.has(e[end])) continue;
        problems.push({
          code: 'dangling-edge',
          edgeId: e.id,
          path: `edges[${i}].${end}`,
          message: `edge "${e.id}": ${end} "${e[end]}" is not a node${didYouMean(e[end], byId.keys())}`,
        });
      }
      return;
    }
    goodEdges.push(e);
    const branches = branchesFrom(from.kind);
    if (e.branch !== undefined && !branches) {
      problems.push({ code: 'bad-branch', edgeId: e.id, path: `edges[${i}].branch`, message: `edge "${e.id}" has branch "${e.branch}" but its source "${e.source}" is a ${from.kind} node, not a condition` });
    }
    if (e.branch === undefined && branches) {
      problems.push({ code: 'bad-branch', edgeId: e.id, path: `edges[${i}]`, message: `edge "${e.id}" leaves condition "${e.source}" without a branch: add "branch": "true" or "false"` });
    }
  });

  const graph = buildGraph({ nodes: unique, edges: goodEdges });
  reportCycles(graph, unique, goodEdges, problems);

  const ancestry = new PendingAncestry();
  const inputNames = new Set<string>();
  for (const n of unique) {
    const name = kindInfo(n.kind).declaresInput?.(n);
    if (name !== undefined) inputNames.add(name);
  }
  // Run inputs are checked once the workflow declares any (in settings.inputs or with an
  // input node); a workflow that declares none takes whatever inputs a run is given.
  const declared = Object.keys(declaredInputs ?? {});
  const inputCheck: InputCheck | undefined = declared.length > 0 || inputNames.size > 0 ? { declared: new Set(declared), inputNames } : undefined;
  // Visited upstream-first so ancestor answers build on each other; reported in document
  // order (a stable sort by position). Only problems are stored: most nodes have none.
  const found: Found[] = [];
  const foundAt: number[] = [];
  const literalInputs = new LiteralInputCheck();
  const visit = (id: string) => {
    const { item: node, index: position } = byId.get(id)!;
    const at = `nodes[${position}]`;
    const before = found.length;
    const kindProblems = kindInfo(node.kind).check?.(node, at);
    if (kindProblems) for (const p of kindProblems) found.push(p);
    checkTool(node, at, tools, literalInputs, found);
    checkReferences(node, at, byId, ancestry, found, inputCheck);
    for (let i = before; i < found.length; i++) foundAt.push(position);
  };
  for (const id of graph.order) visit(id);
  // Nodes on or after a cycle are missing from the order: they come last.
  if (graph.order.length < unique.length) {
    const ordered = new Set(graph.order);
    for (const n of unique) if (!ordered.has(n.id)) visit(n.id);
  }
  const upstream = answerAncestry(graph, ancestry.questions);
  const inDocumentOrder = found.map((_, i) => i).sort((a, b) => foundAt[a] - foundAt[b] || a - b);
  for (const i of inDocumentOrder) {
    const p = found[i];
    if (!('question' in p)) problems.push(p);
    else if (!upstream[p.question]) problems.push(p.problem);
  }
  return graph;
}

type Found = Problem | PendingProblem;

/** A not-ancestor problem that stands only if its question is answered "no". */
interface PendingProblem {
  question: number;
  problem: Problem;
}

/** Collects the "is it upstream?" questions of all references, answered together at the end. */
class PendingAncestry {
  readonly questions: AncestryQuestion[] = [];
  ask(ancestor: string, node: string, problem: Problem): PendingProblem {
    this.questions.push({ ancestor, node });
    return { question: this.questions.length - 1, problem };
  }
}

function reportCycles(graph: Graph, nodes: WorkflowNode[], edges: Edge[], problems: Problem[]): void {
  let current = graph;
  // Drop each cycle's nodes and look again, so separate cycles are each named.
  const onCycle = new Set<string>();
  for (let n = 0; current.cycle && n < MAX_CYCLES_REPORTED; n++) {
    const cycle = current.cycle;
    problems.push({ code: 'cycle', nodeId: cycle[0], message: `cycle: ${cycle.join(' → ')}` });
    for (const id of cycle) onCycle.add(id);
    current = buildGraph({
      nodes: nodes.filter((x) => !onCycle.has(x.id)),
      edges: edges.filter((e) => !onCycle.has(e.source) && !onCycle.has(e.target)),
    });
  }
}

function checkTool(node: WorkflowNode, at: string, tools: ToolLookup, literalInputs: LiteralInputCheck, problems: Found[]): void {
  const kind = kindInfo(node.kind);
  if (kind.tool.uses === 'none') return;
  const name = toolOf(node);
  if (!name) {
    problems.push({ code: 'missing-tool', nodeId: node.id, path: `${at}.tool`, message: `node "${node.id}" is a ${node.kind} node but names no tool` });
    return;
  }
  const spec = tools.get(name);
  if (!spec) {
    const names = tools.list ? tools.list().map((t) => t.name) : [];
    problems.push({ code: 'unknown-tool', nodeId: node.id, path: `${at}.tool`, message: `node "${node.id}": unknown tool "${name}"${didYouMean(name, names)}` });
    return;
  }
  if (!kind.toolInputs) return checkLiteralInput(node, spec, node.inputs, `${at}.inputs`, literalInputs, problems);
  for (const input of kind.toolInputs(node, at)) checkLiteralInput(node, spec, input.value, input.at, literalInputs, problems);
}

/**
 * Parses the literal part of tool inputs against each tool's schema. An empty literal
 * (no inputs, or only templated ones: the common case) gives the same answer for every
 * node of a tool, so it is parsed once per tool and validation.
 */
class LiteralInputCheck {
  private readonly empty = new Map<ToolSpec, ReturnType<ToolSpec['input']['safeParse']>>();
  parse(spec: ToolSpec, literal: Record<string, unknown>, keys: number): ReturnType<ToolSpec['input']['safeParse']> {
    if (keys > 0) return spec.input.safeParse(literal);
    let result = this.empty.get(spec);
    if (!result) this.empty.set(spec, (result = spec.input.safeParse(literal)));
    return result;
  }
}

/**
 * Checks what is known before the run: fields holding templates are left out (their
 * value comes later) and "missing" complaints about them are ignored.
 */
function checkLiteralInput(node: WorkflowNode, spec: ToolSpec, inputs: Record<string, unknown>, at: string, literalInputs: LiteralInputCheck, problems: Found[]): void {
  const literal: Record<string, unknown> = {};
  // Made only when a field holds a template: most nodes have none.
  let templated: Set<string> | undefined;
  let keys = 0;
  for (const [key, value] of Object.entries(inputs)) {
    if (hasTemplate(value)) (templated ??= new Set()).add(key);
    else {
      literal[key] = value;
      keys++;
    }
  }
  const result = literalInputs.parse(spec, literal, keys);
  if (result.success) return;
  for (const issue of result.error.issues) {
    const key = issue.path[0];
    if (typeof key === 'string' && templated?.has(key)) continue;
    for (const line of issueLines([issue], '')) {
      const path = line.path ? `${at}.${line.path}` : at;
      problems.push({ code: 'invalid-input', nodeId: node.id, path, message: `node "${node.id}": ${spec.name} input ${line.path || '(whole input)'}: ${line.message}` });
    }
  }
}

interface InputCheck {
  declared: Set<string>;
  inputNames: Set<string>;
}

function checkReferences(
  node: WorkflowNode,
  at: string,
  byId: Map<string, unknown>,
  ancestry: PendingAncestry,
  problems: (Problem | PendingProblem)[],
  inputs: InputCheck | undefined,
): void {
  // Where `{{item}}` and `{{index}}` may appear: the per-item input of a map.
  let itemScopes: string[] | undefined;
  walkStrings(node.inputs, `${at}.inputs`, (s, where) => {
    if (!s.includes('{{')) return;
    let refs: Reference[];
    try {
      refs = parseTemplate(s).flatMap((seg) => ('ref' in seg ? [seg.ref] : []));
    } catch (e) {
      problems.push({ code: 'bad-template', nodeId: node.id, path: where, message: `node "${node.id}" ${where}: ${(e as Error).message}` });
      return;
    }
    for (const ref of refs) {
      const bad = (code: Problem['code'], why: string) =>
        problems.push({ code, nodeId: node.id, path: where, message: `node "${node.id}": {{${ref.raw}}} ${why}` });
      if (ref.root === 'nodes') {
        const target = ref.nodeId!;
        if (target === node.id) bad('not-ancestor', 'refers to the node itself');
        else if (!byId.has(target)) bad('bad-reference', `refers to node "${target}", which does not exist${didYouMean(target, byId.keys())}`);
        else {
          const message = `node "${node.id}": {{${ref.raw}}} refers to node "${target}", which is not upstream of "${node.id}": add an edge path from "${target}" to "${node.id}"`;
          problems.push(ancestry.ask(target, node.id, { code: 'not-ancestor', nodeId: node.id, path: where, message }));
        }
      } else if (ref.root === 'item' || ref.root === 'index') {
        itemScopes ??= (kindInfo(node.kind).itemScope ?? []).map((key) => formatPath(`${at}.inputs`, [key]));
        const inScope = itemScopes.some((p) => where === p || where.startsWith(`${p}.`) || where.startsWith(`${p}[`));
        if (!inScope) bad('bad-reference', `is only available inside a map node's inputs.with`);
      } else if (inputs) {
        const name = String(ref.path[0]);
        if (!inputs.declared.has(name) && !inputs.inputNames.has(name)) {
          bad(
            'bad-reference',
            `names run input "${name}", which settings.inputs does not declare${didYouMean(name, [...inputs.declared, ...inputs.inputNames])}; ` +
              `declare it there or read it with an input node (a workflow that declares no inputs accepts any at run time)`,
          );
        }
      }
    }
  });
}
