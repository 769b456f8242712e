/**
 * Opens a run bundle (bundle.ts) made by another AWE, as hostile input: a file a person picked
 * may be anything. The zip is read within limits decided before anything is inflated (entry
 * count, each entry's size, the total), entry names that could point outside a folder are
 * refused, every JSON part is scanned for its depth, parsed and checked against the contract, the events must fold
 * into the finished run the bundle says it holds, and every artifact must match its recorded
 * size and sha256 (a header that lies about sizes shows up there). Nothing is written here:
 * the caller records the result in one transaction.
 */
import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { z } from 'zod';
import { Artifact, EngineEvent, foldRun, formatIssues, Run, TERMINAL_RUN_STATUSES } from '../../contract';
import { scanJson } from '../../shared/json-scan';
import { MAX_WORKFLOW_NESTING } from '../../shared/workflow-text';
import { badRequest, EngineError } from '../errors';
import { bundleEntryNames, RUN_BUNDLE_FORMAT } from './bundle';

export interface BundleLimits {
  /** @default 10000 */
  maxEntries: number;
  /** Inflated size of one entry. @default 256 MiB */
  maxEntryBytes: number;
  /** Inflated size of all entries together. @default 512 MiB */
  maxTotalBytes: number;
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = { maxEntries: 10_000, maxEntryBytes: 256 * 1024 * 1024, maxTotalBytes: 512 * 1024 * 1024 };

export interface OpenedBundle {
  run: Run;
  exportedFrom?: { host?: string; exportedAt?: number };
  events: EngineEvent[];
  artifacts: { artifact: Artifact; bytes: Uint8Array }[];
}

/** run.json; `format` is absent from bundles made before it was written (format 1). */
const RunJson = z.object({
  format: z.number().int().min(1).optional(),
  exportedFrom: z.object({ host: z.string().max(1000).optional(), exportedAt: z.number().optional() }).optional(),
  run: Run,
  artifacts: z.array(Artifact).default([]),
});

const MB = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** Names that are a folder path in no OS's reading: no root, drive, backslash, NUL or `..` part. */
function safeEntryName(name: string): boolean {
  if (!name || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || /[\\\0]/.test(name)) return false;
  return !name.split('/').some((part) => part === '..');
}

function unzipWithin(zip: Uint8Array, limits: BundleLimits): Record<string, Uint8Array> {
  let entries = 0;
  let total = 0;
  try {
    return unzipSync(zip, {
      // Decided on the declared sizes, before inflating: fflate inflates into a buffer of the
      // declared size, so a lying header truncates (caught by the checks after) rather than grows.
      filter: (file) => {
        if (++entries > limits.maxEntries) throw badRequest(`the bundle has more than ${limits.maxEntries} entries`);
        if (!safeEntryName(file.name)) throw badRequest(`the bundle has an entry named "${file.name}", which points outside its folder; refused`);
        if (file.originalSize > limits.maxEntryBytes) throw badRequest(`the bundle's entry "${file.name}" unpacks to ${MB(file.originalSize)}; the limit is ${MB(limits.maxEntryBytes)}`);
        total += file.originalSize;
        if (total > limits.maxTotalBytes) throw badRequest(`the bundle unpacks to more than ${MB(limits.maxTotalBytes)}; refused`);
        return !file.name.endsWith('/');
      },
    });
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw badRequest(`not a run bundle: the file is not a zip AWE can read (${(err as Error).message})`);
  }
}

/** How deep run.json may nest: a workflow file's limit, plus the record's levels around the snapshot. */
const MAX_RUN_JSON_NESTING = MAX_WORKFLOW_NESTING + 8;
/**
 * How deep one event may nest. Tool outputs may go deeper than a workflow, but not as deep as
 * the code that later reads the run follows (JSON.stringify overflowed the stack at ~5,000
 * levels: a run imported deeper could never be shown).
 */
const MAX_EVENT_NESTING = 1_000;

/** Parses one JSON part after a linear scan of its depth: parsing and checking deeper text would overflow the stack. */
function parsePart(text: string, where: string, depthLimit: number): unknown {
  const { maxDepth } = scanJson(text, depthLimit);
  if (maxDepth > depthLimit) throw badRequest(`the bundle's ${where} is nested ${maxDepth} levels deep; the limit is ${depthLimit}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the bundle's ${where} is not valid JSON (${(err as Error).message})`);
  }
}

function json(files: Record<string, Uint8Array>, name: string): unknown {
  const bytes = files[name];
  if (!bytes) throw badRequest(`not a run bundle: it has no ${name}`);
  return parsePart(strFromU8(bytes), name, MAX_RUN_JSON_NESTING);
}

export function openRunBundle(zip: Uint8Array, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): OpenedBundle {
  const files = unzipWithin(zip, limits);
  const raw = json(files, 'run.json');
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > RUN_BUNDLE_FORMAT) {
    throw badRequest(`the bundle was made by a newer AWE (bundle format ${format}); this one reads format ${RUN_BUNDLE_FORMAT}: update AWE to open it`);
  }
  const parsed = RunJson.safeParse(raw);
  if (!parsed.success) throw badRequest(`the bundle's run.json is not a run record: ${formatIssues(parsed.error.issues, '', 4, '(run.json)')}`);
  const { run, artifacts: records, exportedFrom } = parsed.data;
  const nodeIds = new Set(run.snapshot.nodes.map((n) => n.id));

  const eventsText = files['events.jsonl'];
  if (!eventsText) throw badRequest('not a run bundle: it has no events.jsonl');
  const events: EngineEvent[] = [];
  const lines = strFromU8(eventsText).split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const where = `events.jsonl line ${i + 1}`;
    const value = parsePart(lines[i], where, MAX_EVENT_NESTING);
    const event = EngineEvent.safeParse(value);
    if (!event.success) throw badRequest(`the bundle's ${where} is not an AWE event: ${formatIssues(event.error.issues, '', 2, '(event)')}`);
    const e = event.data;
    if (e.runId !== run.id) throw badRequest(`the bundle's ${where} belongs to run ${e.runId}, not ${run.id}`);
    if (e.seq !== events.length + 1) throw badRequest(`the bundle's ${where} has sequence number ${e.seq} where ${events.length + 1} was due: events are missing or out of order`);
    if ('nodeId' in e && typeof e.nodeId === 'string' && !nodeIds.has(e.nodeId)) throw badRequest(`the bundle's ${where} is about node "${e.nodeId}", which the run's workflow does not have`);
    events.push(e);
  }
  if (events[0]?.type !== 'run.started') throw badRequest('the bundle\'s events do not start with the run starting: its history is incomplete');
  const view = foldRun(run.id, events);
  if (!TERMINAL_RUN_STATUSES.includes(view.status)) {
    throw badRequest(`the bundle's run had not finished (its events end ${view.status}): export it again once it has finished`);
  }
  if (view.status !== run.status) throw badRequest(`the bundle's events end ${view.status}, but its run record says ${run.status}: it was altered`);

  const names = bundleEntryNames(records);
  const seen = new Set<string>();
  const artifacts = records.map((artifact, i) => {
    if (artifact.runId !== run.id) throw badRequest(`the bundle's artifact ${artifact.id} belongs to run ${artifact.runId}, not ${run.id}`);
    if (seen.has(artifact.id)) throw badRequest(`the bundle lists artifact ${artifact.id} twice`);
    seen.add(artifact.id);
    const bytes = files[names[i]];
    if (!bytes) throw badRequest(`the bundle has no file for artifact "${artifact.name}" (${names[i]})`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.byteLength !== artifact.size || sha256 !== artifact.sha256) throw badRequest(`the bundle's file for artifact "${artifact.name}" does not match its recorded size and sha256: it is damaged`);
    return { artifact, bytes };
  });
  return { run, ...(exportedFrom ? { exportedFrom } : {}), events, artifacts };
}
