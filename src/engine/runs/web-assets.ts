/**
 * What the two UI shells (the `awe://` protocol in Electron, `awe serve` in a browser)
 * and the artifact store agree on: MIME types by extension, the UI's Content-Security-
 * Policy, and how a URL path maps to a file that stays inside its folder.
 */
import { extname, join, resolve, sep } from 'node:path';

const MIME_BY_EXTENSION: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.json': 'application/json',
  '.map': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.xml': 'application/xml',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/**
 * The MIME type for a file name. With `charset`, text types say they are UTF-8 (what
 * a served page needs; artifacts record the bare type).
 */
export function mimeForName(name: string, options: { charset?: boolean } = {}): string {
  const type = MIME_BY_EXTENSION[extname(name).toLowerCase()] ?? 'application/octet-stream';
  const textual = type.startsWith('text/') || type === 'application/json' || type === 'application/x-ndjson';
  return options.charset && textual ? `${type}; charset=utf-8` : type;
}

/**
 * The UI's CSP: no remote code, no inline scripts, network only to our own origin and to
 * the team servers the person added (`connectSources`: their http(s) and ws(s) origins,
 * already checked to be bare origins by team-servers.ts).
 */
export function uiCsp(connectSources: readonly string[] = []): string {
  return UI_CSP.replace("connect-src 'self'", ["connect-src 'self'", ...connectSources].join(' '));
}

/** The UI's CSP with no team server added. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React Flow positions nodes with inline styles.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Maps a URL path (still percent-encoded) to a file inside `root`; undefined when it
 * would escape (`..`, encoded slashes or backslashes, NUL bytes) or cannot be decoded.
 */
export function fileInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const base = resolve(root);
  const full = resolve(join(base, decoded === '/' ? 'index.html' : decoded));
  if (full !== base && !full.startsWith(base + sep)) return undefined;
  return full;
}
