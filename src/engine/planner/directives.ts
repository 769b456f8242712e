/**
 * The details a goal spells out beyond its kind: the output format ("save as JSON"), row
 * filters ("drop rows without an amount", "only rows where region is north"), the subject
 * ("for the orders service"). The goal is cut into clauses (commas, semicolons, "then",
 * "and" before a directive verb); each clause is read by a small grammar into typed
 * directives. A clause the grammar does not accept is returned in `unknown`, so the plan
 * can say what it left out instead of dropping it silently. Pure string rules.
 */

export type OutputFormat = 'json' | 'csv' | 'markdown' | 'text';

/** A test on one row's field; field names are matched case-insensitively. */
export type Condition =
  | { op: 'present'; field: string }
  | { op: 'missing'; field: string }
  | { op: 'compare'; field: string; cmp: '=' | '!=' | '>' | '>=' | '<' | '<='; value: string | number };

/** Keep the rows where `test` holds (`keep`), or drop them. Text values compare only by `=` and `!=`. */
export interface RowFilter {
  keep: boolean;
  test: Condition;
  /** The clause as the person wrote it, for labels and the explanation. */
  phrase: string;
}

export interface GoalDirectives {
  format?: { format: OutputFormat; phrase: string };
  filters: RowFilter[];
  /** "orders service" from "for the orders service". */
  subject?: string;
  /** Clauses after the first that no grammar accepted, as written. */
  unknown: string[];
}

const DROP = String.raw`(?:drop|remove|delete|exclude|discard|skip|filter out|throw (?:away|out)|get rid of)`;
const KEEP = String.raw`(?:keep|retain|select|include)(?: only)?|only(?: keep)?|filter(?: to| for)?`;
const ROWS = String.raw`(?:rows|records|entries|lines|items)`;
/** Verbs that start a new clause after "and" ("…csv and drop rows…"). */
const CLAUSE_VERB = String.raw`(?:${DROP}|keep|retain|only|filter|save|export|store|output|convert|sort|order|group|rename|ask|check|confirm|let me)\b`;
/** A field name: one word, or quoted/backticked. */
const FIELD = String.raw`(?:"([^"]+)"|'([^']+)'|\x60([^\x60]+)\x60|([A-Za-z_][\w-]*))`;
const ARTICLE = String.raw`(?:(?:a|an|the|any|some) )?`;
const FIELD_TAIL = String.raw`(?: (?:value|field|column|set))?`;
const BLANK = String.raw`(?:missing|empty|blank|null|not set|absent|unset)`;

const MISSING_RES = [
  new RegExp(String.raw`^(?:that |which )?(?:without|with no|having no|lacking|missing|(?:that|which) (?:lack|lacks|have no|has no)) ${ARTICLE}${FIELD}${FIELD_TAIL}$`, 'i'),
  new RegExp(String.raw`^(?:with|having) ${ARTICLE}${BLANK} ${FIELD}${FIELD_TAIL}$`, 'i'),
  new RegExp(String.raw`^(?:where|whose|with|if) ${ARTICLE}${FIELD}${FIELD_TAIL} (?:is |are )?${BLANK}$`, 'i'),
];
const PRESENT_RES = [
  new RegExp(String.raw`^(?:where|whose|with|if) ${ARTICLE}${FIELD}${FIELD_TAIL} (?:is|are) (?:not ${BLANK}|present|set|non-?empty|filled(?: in)?)$`, 'i'),
  new RegExp(String.raw`^(?:with|having|(?:that|which) (?:has|have|contain|contains)) ${ARTICLE}(?:non-?empty |valid )?${FIELD}${FIELD_TAIL}$`, 'i'),
];
const COMPARISONS: [string, '=' | '!=' | '>' | '>=' | '<' | '<='][] = [
  [String.raw`is not equal to|is not|isn't|!=|<>|does not equal|is different from`, '!='],
  [String.raw`is at least|>=|is (?:greater|more|higher) than or equal to`, '>='],
  [String.raw`is at most|<=|is (?:less|lower|smaller) than or equal to`, '<='],
  [String.raw`is (?:greater|more|higher|bigger|larger) than|>|(?:is |are )?(?:above|over)|exceeds|exceeding`, '>'],
  [String.raw`is (?:less|lower|smaller|fewer) than|<|(?:is |are )?(?:below|under)`, '<'],
  [String.raw`equals|is equal to|==|=|is`, '='],
];
const COMPARE_RE = new RegExp(
  String.raw`^(?:where|whose|with|if) ${ARTICLE}${FIELD}${FIELD_TAIL} (${COMPARISONS.map(([w]) => w).join('|')}) (?:"([^"]*)"|'([^']*)'|(-?\d+(?:\.\d+)?)|([\w-]+(?: [\w-]+)?))$`,
  'i',
);
const FILTER_RE = new RegExp(String.raw`^(?:(${DROP})|(${KEEP}))(?: (?:the|all|any))? ${ROWS} (.+)$`, 'i');
/** "only rows where …", "rows without … only". */
const ONLY_ROWS_RE = new RegExp(String.raw`^(?:only )?${ROWS} (.+?)(?: only)?$`, 'i');

const FORMAT_WORDS: Record<string, OutputFormat> = { json: 'json', csv: 'csv', markdown: 'markdown', md: 'markdown', 'plain text': 'text', text: 'text', txt: 'text' };
const FORMAT = String.raw`(json|csv|markdown|md|plain text|text|txt)`;
const FORMAT_RES = [
  // "save as JSON", "convert the rows to CSV", "write it in Markdown"
  new RegExp(String.raw`\b(?:save|saved|saving|write|written|export|exported|output|store|stored|return|convert|converted|turn|emit|give me)\b(?:.*?\s)?(?:as|to|into|in) (?:an? )?${FORMAT}\b(?: (?:file|format|document|output|table))?$`, 'i'),
  // a clause of its own: "as JSON", "in CSV format", "JSON output"
  new RegExp(String.raw`^(?:as|in|to) (?:an? )?${FORMAT}(?: (?:file|format|document|output|table))?$`, 'i'),
  new RegExp(String.raw`^${FORMAT} (?:output|format|file)$`, 'i'),
];

/** Clauses the planner understands without a directive: asking for review, plain cleaning, politeness. */
const ACCEPTED_RES = [
  /\b(ask me|check with me|confirm with me|let me (?:review|see|check|read)|before (?:you )?(?:sav|publish|writ|send|ship)\w*|approv\w*|sign[- ]?off)\b/i,
  new RegExp(String.raw`^(?:${DROP}|dedupe|de-?duplicate) (?:the |any |all )?(?:exact )?(?:duplicates?|duplicate ${ROWS}|(?:blank|empty) ${ROWS})$`, 'i'),
  /^(?:and )?(?:clean(?: it| them)?(?: up)?|tidy(?: it)? up|trim(?: the)? (?:values|cells|whitespace)|normali[sz]e(?: the)? (?:entries|values|rows|data|records)|write up (?:the )?(?:findings|results|report))$/i,
  /^(?:please|thanks|thank you)$/i,
];

export function readDirectives(goal: string, opts: { path?: string; url?: string } = {}): GoalDirectives {
  const out: GoalDirectives = { filters: [], unknown: [] };
  const subject = /\bfor (?:the |our |my )?([\w-]+(?: [\w-]+)?) (service|api|app|application|system|cluster|database|db|job|worker|queue|server|site|pipeline)\b/i.exec(goal);
  if (subject) out.subject = `${subject[1]} ${subject[2]}`.toLowerCase();

  splitClauses(goal, opts.url).forEach((raw, i) => {
    const clause = withoutPath(raw, opts.path);
    const filter = readFilter(clause);
    if (filter) out.filters.push({ ...filter, phrase: raw });
    const format = readFormat(clause);
    if (format && !out.format) out.format = { format, phrase: raw };
    // The first clause names the task (goal.ts reads it); later ones must be understood here.
    if (i > 0 && !filter && !format && !ACCEPTED_RES.some((re) => re.test(clause)) && !(opts.path && raw.includes(opts.path))) out.unknown.push(raw);
  });
  return out;
}

function splitClauses(goal: string, url?: string): string[] {
  // A URL's own ", ; :" must not cut it.
  const text = url ? goal.split(url).join('\uE000') : goal;
  return text
    .split(new RegExp(String.raw`\s*(?:[,;]|:\s|\.\s+(?=[A-Z])|\s(?:and )?then\s|\sand (?=${CLAUSE_VERB}))\s*`, 'i'))
    .map((c) => c.replace(/\uE000/g, url ?? '').replace(/[.!?]+$/, '').trim())
    .filter((c) => c.length > 0);
}

/** "drop rows without an amount from q3-sales.csv" → "drop rows without an amount". */
function withoutPath(clause: string, path?: string): string {
  if (!path) return clause;
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return clause.replace(new RegExp(String.raw`\s+(?:from|in|of) (?:the )?${escaped}(?: file)?$`, 'i'), '').trim();
}

function readFormat(clause: string): OutputFormat | undefined {
  for (const re of FORMAT_RES) {
    const m = re.exec(clause);
    if (m) return FORMAT_WORDS[m[1].toLowerCase()];
  }
  return undefined;
}

function readFilter(clause: string): Omit<RowFilter, 'phrase'> | undefined {
  const m = FILTER_RE.exec(clause);
  if (m) {
    const test = readCondition(m[3]);
    return test && { keep: !m[1], test };
  }
  const only = /^only\b/i.test(clause) || /\bonly$/i.test(clause) ? ONLY_ROWS_RE.exec(clause) : null;
  const test = only && readCondition(only[1]);
  return test ? { keep: true, test } : undefined;
}

const fieldOf = (m: RegExpExecArray, from: number) => (m[from] ?? m[from + 1] ?? m[from + 2] ?? m[from + 3]).trim();

function readCondition(text: string): Condition | undefined {
  for (const re of MISSING_RES) {
    const m = re.exec(text);
    if (m) return { op: 'missing', field: fieldOf(m, 1) };
  }
  for (const re of PRESENT_RES) {
    const m = re.exec(text);
    if (m) return { op: 'present', field: fieldOf(m, 1) };
  }
  const m = COMPARE_RE.exec(text);
  if (!m) return undefined;
  const word = m[5].toLowerCase();
  const cmp = COMPARISONS.find(([words]) => new RegExp(`^(?:${words})$`, 'i').test(word))![1];
  const value = m[8] !== undefined ? Number(m[8]) : (m[6] ?? m[7] ?? m[9]);
  // "where region is above north" has no meaning: only numbers are ordered.
  if (typeof value === 'string' && cmp !== '=' && cmp !== '!=') return undefined;
  return { op: 'compare', field: fieldOf(m, 1), cmp, value };
}

/** A filter in words, for node labels and the explanation: "drop rows without amount". */
export function describeFilter(f: RowFilter): string {
  const t = f.test;
  if (t.op !== 'compare') return `${f.keep ? 'keep' : 'drop'} rows ${t.op === 'present' ? 'with' : 'without'} ${t.field}`;
  return `${f.keep ? 'keep' : 'drop'} rows where ${t.field} ${t.cmp} ${JSON.stringify(t.value)}`;
}
