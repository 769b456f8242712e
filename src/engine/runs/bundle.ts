/**
 * A run as one zip: the exact workflow it ran, its events (JSONL), the run record with
 * its node runs, and every artifact file. Enough to replay the run's history elsewhere
 * (bundle-import.ts opens it in another AWE).
 */
import { readFileSync } from 'node:fs';
import { strToU8, zip, type Zippable } from 'fflate';
import type { Artifact, EngineEvent, NodeRun, Run } from '../../contract';
import { scorecard } from '../../shared/scorecard';

/**
 * The bundle layout's version, in `run.json`: bumped when a reader of the previous one would
 * misread a bundle. Bundles from before it was written are format 1.
 */
export const RUN_BUNDLE_FORMAT = 1;

/** The artifact's entry in the bundle: two nodes may save the same name, and the node id keeps both. */
export function bundleEntryNames(artifacts: readonly Artifact[]): string[] {
  const used = new Set<string>();
  return artifacts.map((artifact) => {
    let name = `artifacts/${artifact.name}`;
    if (used.has(name)) name = `artifacts/${artifact.nodeId}-${artifact.id}-${artifact.name}`;
    used.add(name);
    return name;
  });
}

export interface RunBundleParts {
  run: Run;
  /** The machine exporting it, and when: an importer says where the run came from. */
  exportedFrom: { host: string; exportedAt: number };
  workflowText: string;
  events: EngineEvent[];
  nodeRuns: NodeRun[];
  artifacts: { artifact: Artifact; path: string }[];
}

export function zipRunBundle(parts: RunBundleParts): Promise<Uint8Array> {
  const files: Zippable = {
    'workflow.awe.json': strToU8(parts.workflowText),
    'events.jsonl': strToU8(parts.events.map((e) => JSON.stringify(e)).join('\n') + (parts.events.length ? '\n' : '')),
    // The figures a reader wants first, computed from the same events the bundle carries.
    'scorecard.json': strToU8(`${JSON.stringify(scorecard(parts.run, parts.events), null, 2)}\n`),
    'run.json': strToU8(
      `${JSON.stringify({ format: RUN_BUNDLE_FORMAT, exportedFrom: parts.exportedFrom, run: parts.run, nodeRuns: parts.nodeRuns, artifacts: parts.artifacts.map((a) => a.artifact) }, null, 2)}\n`,
    ),
  };
  const names = bundleEntryNames(parts.artifacts.map((a) => a.artifact));
  parts.artifacts.forEach(({ path }, i) => (files[names[i]] = readFileSync(path)));
  return new Promise((resolve, reject) => zip(files, { level: 6 }, (err, data) => (err ? reject(err) : resolve(data))));
}
