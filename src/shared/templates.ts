/**
 * The template language of bindings (DESIGN.md §3). A binding is any JSON value; strings
 * may hold `{{ reference }}` templates:
 *   {{nodes.<id>.output.<path>}}   an upstream node's output
 *   {{input.<name>.<path>}}        a run input
 *   {{item.<path>}} / {{index}}    inside a map node's `with`, the current item
 * `\{{` is a literal. The parser, the reference finder and reference renaming live here
 * once: the validator, the run and the editor all read templates the same way.
 *
 * Pure: imports only the contract; no Node APIs, no DOM.
 */
import { formatPath } from '../contract';

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

/** How deep the walkers go into a binding (the file reader caps a document at 200 levels). */
const MAX_DEPTH = 64;

const KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** A template's pieces with where each reference sits in the text (`start`..`end` covers the braces). */
type Part = { text: string } | { inner: string; start: number; end: number };

function templateParts(s: string): Part[] {
  const parts: Part[] = [];
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
      if (text) parts.push({ text });
      text = '';
      parts.push({ inner, start: i, end: end + 2 });
      i = end + 2;
      continue;
    }
    text += s[i];
    i += 1;
  }
  if (text) parts.push({ text });
  return parts;
}

/** Splits a template string into text and references; throws TemplateSyntaxError. */
export function parseTemplate(s: string): Segment[] {
  return templateParts(s).map((part) => ('text' in part ? part : { ref: parseReference(part.inner) }));
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

/** Whether a binding holds a template anywhere (a `{{` in any string, at any depth). */
export function hasTemplate(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (depth > MAX_DEPTH || !value || typeof value !== 'object') return false;
  return Object.values(value).some((v) => hasTemplate(v, depth + 1));
}

/**
 * Visits every string in a binding with its JSON path under `at` (`inputs.with.path`,
 * `inputs.items[2]`), down to the depth the walkers allow.
 */
export function walkStrings(value: unknown, at: string, visit: (s: string, at: string) => void, depth = 0): void {
  if (typeof value === 'string') visit(value, at);
  else if (depth > MAX_DEPTH || !value || typeof value !== 'object') return;
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${at}[${i}]`, visit, depth + 1));
  else for (const [k, v] of Object.entries(value)) walkStrings(v, formatPath(at, [k]), visit, depth + 1);
}

/**
 * Rewrites `{{nodes.<old>…}}` references inside any JSON value to the new ids in `rename`
 * (pasted nodes get fresh ids). Everything else in the text stays exactly as written; a
 * string whose template does not parse is left alone (the validator reports it).
 */
export function renameReferences(value: unknown, rename: ReadonlyMap<string, string>, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('{{') ? renameInString(value, rename) : value;
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => renameReferences(v, rename, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameReferences(v, rename, depth + 1)]));
}

function renameInString(s: string, rename: ReadonlyMap<string, string>): string {
  let out = '';
  let from = 0;
  try {
    for (const part of templateParts(s)) {
      if ('text' in part) continue;
      const ref = parseReference(part.inner);
      const to = ref.root === 'nodes' ? rename.get(ref.nodeId!) : undefined;
      if (to === undefined) continue;
      const old = `nodes.${ref.nodeId}`;
      const at = s.indexOf(old, part.start + 2);
      out += s.slice(from, at) + `nodes.${to}`;
      from = at + old.length;
    }
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return s;
    throw e;
  }
  return out + s.slice(from);
}
