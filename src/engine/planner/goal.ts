/**
 * Reading a goal's text for the offline planner: which kind of goal it is, and the URL,
 * path and file types it names. Pure string rules, so the same goal always reads the same.
 */

export type GoalKind = 'url-summary' | 'code-review' | 'folder-index' | 'data-transform' | 'runbook' | 'unknown';

export interface GoalReading {
  kind: GoalKind;
  url?: string;
  /** The first workspace path the goal names (`src/app.ts`, `./docs`, `data.csv`). */
  path?: string;
  /** Whether `path` looks like a file (has an extension) rather than a folder. */
  pathIsFile: boolean;
  /** File extensions the goal asks about (`md`, `ts`), lower case, without the dot. */
  extensions: string[];
  /** The goal mentions deploying, production, a release or an approval. */
  risky: boolean;
  /** Words that decided the kind, for the explanation. */
  because: string[];
}

const URL_RE = /\bhttps?:\/\/[^\s"'<>`]+/i;
// Paths: `./x`, `../x`, `a/b`, or a file name with an extension (`data.csv`). Not URLs.
const PATH_RE = /(?:^|[\s"'`(])((?:\.{1,2}\/)?[\w@.-]+(?:\/[\w@.-]+)*\/|(?:\.{1,2}\/)?[\w@.-]+(?:\/[\w@.-]+)+|\.{1,2}\/?|[\w@-][\w@.-]*\.[A-Za-z][A-Za-z0-9]{0,5})(?=$|[\s"'`),;:!?])/g;

const TYPE_WORDS: Record<string, string[]> = {
  markdown: ['md', 'markdown'],
  typescript: ['ts', 'tsx'],
  javascript: ['js', 'jsx', 'mjs', 'cjs'],
  python: ['py'],
  json: ['json'],
  csv: ['csv'],
  yaml: ['yaml', 'yml'],
  go: ['go'],
  rust: ['rs'],
  java: ['java'],
  text: ['txt'],
};

const has = (text: string, words: RegExp) => words.exec(text)?.[0];

export function readGoal(goal: string): GoalReading {
  const text = goal.trim();
  const lower = text.toLowerCase();
  const url = URL_RE.exec(text)?.[0]?.replace(/[.,;:!?)\]]+$/, '');
  const withoutUrls = text.replace(new RegExp(URL_RE.source, 'gi'), ' ');
  const path = findPath(withoutUrls);
  const pathIsFile = !!path && /\.[A-Za-z][A-Za-z0-9]{0,5}$/.test(path) && !/^\.{1,2}$/.test(path);
  const extensions = findExtensions(lower, path);
  // Risky work, or the person asking to see the result first: a person approves before saving.
  const risky =
    /\b(deploy\w*|production|prod|release\w*|approv\w*|sign[- ]?off|rollout|roll out|roll ?backs?|migrat\w*)\b/.test(lower) ||
    /\b(ask me|check with me|confirm with me|let me (?:review|see|check|read)|before (?:you )?(?:sav|publish|writ|send|ship)\w*)\b/.test(lower);
  const because: string[] = [];

  const reviewWord = has(lower, /\b(review\w*|audit\w*|lint\w*|code smells?|critique|inspect\w*|find (?:bugs|issues|problems)|findings)\b/);
  const codeWord = has(lower, /\b(code|source|function|module|script|pull request|pr|diff|file|\.(?:ts|tsx|js|py|go|rs|java|rb|c|cpp|cs))\b/) ?? (pathIsFile ? path : undefined);
  const indexWord = has(lower, /\b(index|catalog\w*|catalogu\w*|inventory|table of contents|toc|list (?:all |the )?files|overview of (?:the )?files|manifest)\b/);
  const folderWord = has(lower, /\b(folder|director(?:y|ies)|files|docs|notes|repo\w*|workspace)\b/) ?? (path && !pathIsFile ? path : undefined);
  const dataWord = has(lower, /\b(csv|json|spreadsheet|dataset|data set|data file|records|rows|table)\b/) ?? (path && /\.(csv|json|tsv)$/i.test(path) ? path : undefined);
  const transformWord = has(lower, /\b(transform\w*|convert\w*|clean\w*|normali[sz]\w*|dedup\w*|de-dup\w*|filter\w*|aggregat\w*|reshap\w*|tidy|fix up|sanitise|sanitize|parse)\b/);
  const docWord = has(lower, /\b(checklist|check list|runbook|run book|playbook|procedure|sop|how-?to|guide|steps to|onboarding|handbook|deploy\w*|release (?:plan|notes|process)|incident (?:plan|response))\b/);
  const summaryWord = has(lower, /\b(summar\w*|digest|tl;?dr|research|report|fetch\w*|read|scrape|extract|brief)\b/);

  let kind: GoalKind = 'unknown';
  if (url) {
    kind = 'url-summary';
    because.push(`the URL ${url}`);
    if (summaryWord) because.push(`"${summaryWord}"`);
  } else if (reviewWord && (codeWord || path)) {
    kind = 'code-review';
    because.push(`"${reviewWord}"`, `"${codeWord ?? path}"`);
  } else if (indexWord && folderWord) {
    kind = 'folder-index';
    because.push(`"${indexWord}"`, `"${folderWord}"`);
  } else if ((dataWord && transformWord) || (path && /\.(csv|json|tsv)$/i.test(path))) {
    kind = 'data-transform';
    because.push(`"${dataWord ?? path}"`);
    if (transformWord) because.push(`"${transformWord}"`);
  } else if (docWord) {
    kind = 'runbook';
    because.push(`"${docWord}"`);
  } else if (reviewWord) {
    kind = 'code-review';
    because.push(`"${reviewWord}"`);
  }
  return { kind, url, path, pathIsFile, extensions, risky, because };
}

/** "the notes folder", "folder notes", "directory src/lib". */
const NAMED_FOLDER_RE = /\b(?:(?:in|of|from|under) (?:the |my |our )?([\w.-]+) (?:folder|directory|dir)|(?:folder|directory|dir) ([\w./-]+))\b/i;

function findPath(text: string): string | undefined {
  for (const m of text.matchAll(PATH_RE)) {
    const candidate = m[1];
    // Sentence-final dots and version numbers ("v1.2", "e.g.") are not paths.
    if (/^\d+(\.\d+)+$/.test(candidate) || /^(e\.g|i\.e|etc|vs)\.?$/i.test(candidate)) continue;
    if (/^[A-Za-z]+\.$/.test(candidate)) continue;
    return candidate;
  }
  const named = NAMED_FOLDER_RE.exec(text);
  const folder = named?.[1] ?? named?.[2];
  return folder && !/^(the|a|this|that|each|every|whole)$/i.test(folder) ? folder : undefined;
}

function findExtensions(lower: string, path: string | undefined): string[] {
  const found = new Set<string>();
  for (const m of lower.matchAll(/(?:^|[\s(*])\*?\.([a-z][a-z0-9]{0,5})\b(?! ?\/)/g)) {
    // a bare ".ext" or "*.ext" mention, not part of a file name
    found.add(m[1]);
  }
  for (const [word, exts] of Object.entries(TYPE_WORDS)) {
    if (new RegExp(`\\b${word}\\b`).test(lower)) exts.forEach((e) => found.add(e));
  }
  if (path && /\.[a-z0-9]+$/i.test(path)) found.delete(path.split('.').pop()!.toLowerCase());
  return [...found].sort();
}

/** A lower-case, dash-separated slug of the goal, safe as (part of) an id. */
export function slugify(goal: string, max = 40): string {
  const slug = goal
    .toLowerCase()
    .replace(/https?:\/\//g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return slug || 'goal';
}

/** FNV-1a, 32 bits, hex: a short stable fingerprint (no randomness, no clock). */
export function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
