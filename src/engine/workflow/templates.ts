/**
 * Bindings and templates (DESIGN.md §3). A binding is any JSON value; strings may hold
 * `{{ reference }}` templates:
 *   {{nodes.<id>.output.<path>}}   an upstream node's output
 *   {{input.<name>.<path>}}        a run input
 *   {{item.<path>}} / {{index}}    inside a map node's `with`, the current item
 * A string that is exactly one reference keeps the referenced value's JSON type;
 * references inside longer text are stringified (objects as JSON). `\{{` is a literal.
 */
import { permanent } from '../errors';

export type RefRoot = 'nodes' | 'input' | 'item' | 'index';

export interface Reference {
  root: RefRoot;
  /** For `nodes` references: the node id. */
  nodeId?: string;
  /** Path after `nodes.<id>.output`, `input`, or `item` (keys and array indexes). */
  path: (string | number)[];
  /** The text between the braces, trimmed. */
  raw: string;
}

export type Segment = { text: string } | { ref: Reference };

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

const KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Splits a template string into text and references; throws TemplateSyntaxError. */
export function parseTemplate(s: string): Segment[] {
  const out: Segment[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    if (s[i] === '\\' && s.startsWith('{{', i + 1)) {
      text += '{{';
      i += 3;
      continue;
    }
    if (s.startsWith('{{', i)) {
      const end = s.indexOf('}}', i + 2);
      if (end < 0) throw new TemplateSyntaxError(`unclosed "{{" at character ${i + 1}`);
      const inner = s.slice(i + 2, end).trim();
      if (inner.includes('{{')) throw new TemplateSyntaxError(`nested "{{" inside "{{${inner}}}"`);
      if (text) out.push({ text });
      text = '';
      out.push({ ref: parseReference(inner) });
      i = end + 2;
      continue;
    }
    text += s[i];
    i += 1;
  }
  if (text) out.push({ text });
  return out;
}

/** Parses `nodes.fetch.output.items[0].title` into a Reference. */
export function parseReference(raw: string): Reference {
  if (!raw) throw new TemplateSyntaxError('empty reference "{{}}"');
  const parts = splitPath(raw);
  const [root, ...rest] = parts;
  if (root === 'nodes') {
    const [nodeId, output, ...path] = rest;
    if (typeof nodeId !== 'string' || !nodeId) throw new TemplateSyntaxError(`"{{${raw}}}" must name a node: {{nodes.<id>.output…}}`);
    if (output !== 'output') throw new TemplateSyntaxError(`"{{${raw}}}" must continue with ".output": {{nodes.${nodeId}.output…}}`);
    return { root: 'nodes', nodeId, path, raw };
  }
  if (root === 'input') {
    if (rest.length === 0) throw new TemplateSyntaxError(`"{{${raw}}}" must name an input: {{input.<name>}}`);
    return { root: 'input', path: rest, raw };
  }
  if (root === 'item') return { root: 'item', path: rest, raw };
  if (root === 'index' && rest.length === 0) return { root: 'index', path: [], raw };
  throw new TemplateSyntaxError(`unknown reference "{{${raw}}}": use nodes.<id>.output…, input.<name>, item or index`);
}

function splitPath(raw: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const dotted of raw.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(dotted);
    if (!m) throw new TemplateSyntaxError(`malformed path "${raw}"`);
    const [, key, indexes] = m;
    if (key) {
      if (!KEY.test(key)) throw new TemplateSyntaxError(`malformed key "${key}" in "${raw}"`);
      parts.push(key);
    } else if (!indexes) {
      throw new TemplateSyntaxError(`empty key in "${raw}"`);
    }
    for (const idx of indexes.matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  return parts;
}

/** Every reference in a binding (deep), with the JSON path where it occurs. */
export function findReferences(value: unknown, at = ''): { ref: Reference; at: string }[] {
  const found: { ref: Reference; at: string }[] = [];
  walkStrings(value, at, (s, where) => {
    if (!s.includes('{{')) return;
    for (const seg of parseTemplate(s)) if ('ref' in seg) found.push({ ref: seg.ref, at: where });
  });
  return found;
}

/** Template syntax errors in a binding, with where they occur. */
export function findTemplateErrors(value: unknown, at = ''): { message: string; at: string }[] {
  const errors: { message: string; at: string }[] = [];
  walkStrings(value, at, (s, where) => {
    if (!s.includes('{{')) return;
    try {
      parseTemplate(s);
    } catch (e) {
      errors.push({ message: (e as Error).message, at: where });
    }
  });
  return errors;
}

function walkStrings(value: unknown, at: string, visit: (s: string, at: string) => void, depth = 0): void {
  if (depth > 64) return;
  if (typeof value === 'string') visit(value, at);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${at}[${i}]`, visit, depth + 1));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walkStrings(v, at ? `${at}.${k}` : k, visit, depth + 1);
  }
}

export interface TemplateScope {
  /** Outputs of nodes that have run. */
  nodes: Record<string, { output: unknown } | undefined>;
  input: Record<string, unknown>;
  /** Set only while resolving a map node's per-item input. */
  item?: unknown;
  index?: number;
}

/**
 * Resolves every template in a binding against the scope. Item references are left
 * as written when the scope has no item (a map node resolves them per item later).
 * A reference to a missing value is a permanent error naming the reference.
 */
export function resolveBindings(value: unknown, scope: TemplateScope, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('{{') || value.includes('\\{{') ? resolveString(value, scope) : value;
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => resolveBindings(v, scope, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = resolveBindings(v, scope, depth + 1);
  return out;
}

function resolveString(s: string, scope: TemplateScope): unknown {
  let segments: Segment[];
  try {
    segments = parseTemplate(s);
  } catch (e) {
    throw permanent('BAD_TEMPLATE', (e as Error).message);
  }
  const deferItems = scope.item === undefined && scope.index === undefined;
  if (segments.length === 1 && 'ref' in segments[0]) {
    const ref = segments[0].ref;
    if (deferItems && (ref.root === 'item' || ref.root === 'index')) return s;
    return lookup(ref, scope);
  }
  let text = '';
  for (const seg of segments) {
    if ('text' in seg) text += seg.text;
    else if (deferItems && (seg.ref.root === 'item' || seg.ref.root === 'index')) text += `{{${seg.ref.raw}}}`;
    else text += stringify(lookup(seg.ref, scope));
  }
  return text;
}

function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function lookup(ref: Reference, scope: TemplateScope): unknown {
  let base: unknown;
  let where: string;
  if (ref.root === 'nodes') {
    const entry = scope.nodes[ref.nodeId!];
    if (!entry) throw permanent('BAD_REFERENCE', `{{${ref.raw}}}: node "${ref.nodeId}" has no output (it has not run, or was skipped)`);
    base = entry.output;
    where = `nodes.${ref.nodeId}.output`;
  } else if (ref.root === 'input') {
    base = scope.input;
    where = 'input';
  } else if (ref.root === 'index') {
    return scope.index;
  } else {
    base = scope.item;
    where = 'item';
  }
  for (const key of ref.path) {
    if (base === null || base === undefined || typeof base !== 'object' || !(key in (base as object))) {
      const keys = base && typeof base === 'object' ? Object.keys(base).slice(0, 20) : [];
      const hint = keys.length ? ` (it has: ${keys.join(', ')})` : base === undefined ? '' : ` (it is ${typeof base})`;
      throw permanent('BAD_REFERENCE', `{{${ref.raw}}}: ${where} has no "${key}"${hint}`);
    }
    base = (base as Record<string | number, unknown>)[key];
    where += typeof key === 'number' ? `[${key}]` : `.${key}`;
  }
  return base;
}
