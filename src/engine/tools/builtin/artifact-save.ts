/**
 * `artifact.save`: a named output of the run (report, table, data) that the artifacts panel
 * previews and the user can export.
 */
import Papa from 'papaparse';
import { z } from 'zod';
import { permanent } from '../../errors';
import type { ToolSpec } from '../types';

const FORMATS = {
  text: { mime: 'text/plain', ext: '.txt' },
  markdown: { mime: 'text/markdown', ext: '.md' },
  json: { mime: 'application/json', ext: '.json' },
  csv: { mime: 'text/csv', ext: '.csv' },
  bytes: { mime: 'application/octet-stream', ext: '' },
} as const;
type Format = keyof typeof FORMATS;

export const ArtifactSaveInput = z.object({
  name: z.string().min(1).max(200).describe('File name shown in the artifacts panel, e.g. "report.md".'),
  content: z.unknown().describe('Text, or any JSON value (written as JSON; an array of objects becomes CSV with format "csv").'),
  format: z.enum(['text', 'markdown', 'json', 'csv', 'bytes']).optional().describe('Defaults to "text" for strings and "json" otherwise; "bytes" takes base64.'),
  mime: z.string().optional().describe('Overrides the MIME type implied by the format.'),
});
export type ArtifactSaveInput = z.infer<typeof ArtifactSaveInput>;

export const ArtifactSaveOutput = z.object({
  artifactId: z.string(),
  name: z.string(),
  mime: z.string(),
  size: z.number().int().min(0),
  sha256: z.string(),
});
export type ArtifactSaveOutput = z.infer<typeof ArtifactSaveOutput>;

/** Serialises `content` as `format`; exported for the tests and the artifacts preview. */
export function artifactBytes(content: unknown, format: Format): string | Uint8Array {
  switch (format) {
    case 'bytes': {
      if (typeof content !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(content)) {
        throw permanent('BAD_CONTENT', 'format "bytes" needs the content as a base64 string');
      }
      return new Uint8Array(Buffer.from(content, 'base64'));
    }
    case 'json': {
      if (typeof content !== 'string') return `${JSON.stringify(content, null, 2)}\n`;
      try {
        JSON.parse(content);
      } catch (err) {
        throw permanent('BAD_CONTENT', `format "json" but the content is not valid JSON: ${(err as Error).message}`);
      }
      return content;
    }
    case 'csv': {
      if (typeof content === 'string') return content;
      if (Array.isArray(content)) return `${Papa.unparse(content as object[])}\n`;
      throw permanent('BAD_CONTENT', 'format "csv" needs CSV text or an array of rows');
    }
    default:
      return typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`;
  }
}

function artifactName(name: string, format: Format): string {
  const trimmed = name.trim();
  if (/[/\\]/.test(trimmed) || trimmed === '.' || trimmed === '..' || trimmed.includes('\0')) {
    throw permanent('BAD_NAME', `artifact name '${name}' must be a plain file name without folders`);
  }
  // A missing extension would leave the export dialog and the preview guessing.
  return /\.[A-Za-z0-9]{1,8}$/.test(trimmed) ? trimmed : `${trimmed}${FORMATS[format].ext}`;
}

export const artifactSaveTool: ToolSpec<ArtifactSaveInput, ArtifactSaveOutput> = {
  name: 'artifact.save',
  title: 'Save artifact',
  description: 'Save text, Markdown, JSON, CSV or bytes as a named artifact of the run (previewable and exportable).',
  version: '1',
  input: ArtifactSaveInput,
  output: ArtifactSaveOutput,
  // Artifacts land in AWE's own data folder, owned by the run, never in the user's files or
  // on the network; so, like a pure transform, saving one needs no approval from the policy gate.
  effects: 'pure',
  // Stays in the control plane in queue mode: writes the control plane's artifact store (its content is in its input).
  placement: 'local',
  source: 'builtin',
  async run(input, ctx) {
    if (input.content === undefined) throw permanent('BAD_CONTENT', 'artifact content is missing');
    const format: Format = input.format ?? (typeof input.content === 'string' ? 'text' : 'json');
    const name = artifactName(input.name, format);
    // Keyed: a resumed run saving the same artifact again gets the first one back, not a copy.
    const artifact = await ctx.artifacts.save(name, artifactBytes(input.content, format), input.mime ?? FORMATS[format].mime, { idempotencyKey: ctx.idempotencyKey });
    ctx.log('info', `saved artifact ${artifact.name} (${artifact.size} bytes)`);
    return { artifactId: artifact.id, name: artifact.name, mime: artifact.mime, size: artifact.size, sha256: artifact.sha256 };
  },
};
