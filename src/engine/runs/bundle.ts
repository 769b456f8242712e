/**
 * A run as one zip: the exact workflow it ran, its events (JSONL), the run record with
 * its node runs, and every artifact file. Enough to replay the run's history elsewhere.
 */
import { readFileSync } from 'node:fs';
import { strToU8, zip, type Zippable } from 'fflate';
import type { Artifact, EngineEvent, NodeRun, Run } from '../../contract';
import { scorecard } from '../../shared/scorecard';

export interface RunBundleParts {
  run: Run;
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
    'run.json': strToU8(`${JSON.stringify({ run: parts.run, nodeRuns: parts.nodeRuns, artifacts: parts.artifacts.map((a) => a.artifact) }, null, 2)}\n`),
  };
  const used = new Set<string>();
  for (const { artifact, path } of parts.artifacts) {
    // Two nodes may save the same name: the node id keeps both in the bundle.
    let name = `artifacts/${artifact.name}`;
    if (used.has(name)) name = `artifacts/${artifact.nodeId}-${artifact.id}-${artifact.name}`;
    used.add(name);
    files[name] = readFileSync(path);
  }
  return new Promise((resolve, reject) => zip(files, { level: 6 }, (err, data) => (err ? reject(err) : resolve(data))));
}
