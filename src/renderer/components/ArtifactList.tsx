/**
 * A run's artifacts grouped by the node that made them. Reruns save again under the same
 * name; the latest is marked current and the earlier ones are listed below it as versions,
 * so three rows named alike never leave the person guessing which is which.
 */
import { useMemo } from 'react';
import type { Artifact } from '../../contract';
import { exportArtifact } from '../app/actions';
import { useGraph } from '../app/stores';
import { useRovingFocus } from './roving';
import { formatBytes } from './status';

export interface ArtifactGroup {
  nodeId: string;
  /** The latest artifact of the node. */
  current: Artifact;
  /** Earlier artifacts of the node, newest first; `version` counts from 1 (the first saved). */
  earlier: { artifact: Artifact; version: number }[];
}

/** Groups in the order nodes first saved something; within a node, by creation (event order breaks ties). */
export function groupArtifacts(artifacts: readonly Artifact[]): ArtifactGroup[] {
  const byNode = new Map<string, Artifact[]>();
  for (const a of artifacts) {
    const list = byNode.get(a.nodeId) ?? [];
    list.push(a);
    byNode.set(a.nodeId, list);
  }
  return [...byNode].map(([nodeId, list]) => {
    const ordered = list.map((a, i) => ({ a, i })).sort((x, y) => x.a.createdAt - y.a.createdAt || x.i - y.i).map((x) => x.a);
    const current = ordered[ordered.length - 1];
    const earlier = ordered.slice(0, -1).map((artifact, i) => ({ artifact, version: i + 1 })).reverse();
    return { nodeId, current, earlier };
  });
}

export function ArtifactList({ artifacts, selectedId, onSelect }: { artifacts: readonly Artifact[]; selectedId: string | undefined; onSelect(id: string): void }) {
  const groups = useMemo(() => groupArtifacts(artifacts), [artifacts]);
  const nodes = useGraph((s) => s.workflow.nodes);
  const labelOf = (id: string) => nodes.find((n) => n.id === id)?.label ?? id;
  const roving = useRovingFocus<HTMLDivElement>();
  return (
    <div className="artifact-groups" role="group" aria-label="Artifacts" aria-description="Arrow keys move between artifacts; Enter previews one; Right reaches its Export button." {...roving}>
      {groups.map((g) => (
        <section key={g.nodeId} className="artifact-group" aria-label={`Artifacts of ${labelOf(g.nodeId)}`} data-node-id={g.nodeId}>
          <div className="artifact-group-head small">
            <b>{labelOf(g.nodeId)}</b> <code className="muted">{g.nodeId}</code>
            {g.earlier.length > 0 && (
              <span className="muted">
                {' '}
                · {g.earlier.length + 1} versions
              </span>
            )}
          </div>
          <ArtifactRow artifact={g.current} tag="current" on={selectedId === g.current.id} onSelect={onSelect} />
          {g.earlier.map(({ artifact, version }) => (
            <ArtifactRow key={artifact.id} artifact={artifact} tag={`version ${version}`} on={selectedId === artifact.id} onSelect={onSelect} earlier />
          ))}
        </section>
      ))}
    </div>
  );
}

function ArtifactRow({ artifact: a, tag, on, onSelect, earlier }: { artifact: Artifact; tag: string; on: boolean; onSelect(id: string): void; earlier?: boolean }) {
  const when = new Date(a.createdAt).toLocaleTimeString();
  return (
    <div className={`artifact-row${on ? ' on' : ''}${earlier ? ' earlier' : ''}`} data-artifact-id={a.id} data-version={tag} data-roving-row>
      <button type="button" data-roving-cell="primary" className="artifact-pick" aria-pressed={on} aria-label={`Preview ${a.name} (${tag})`} onClick={() => onSelect(a.id)}>
        <span className="artifact-line">
          <span className="artifact-name" title={a.name}>
            {a.name}
          </span>
          <span className={`artifact-tag${earlier ? '' : ' current'}`}>{tag}</span>
        </span>
        <span className="muted small">
          {a.mime} · {formatBytes(a.size)} · {when}
        </span>
      </button>
      <button type="button" className="btn small" data-roving-cell aria-label={earlier ? `Export ${a.name} (${tag})` : `Export ${a.name}`} onClick={() => void exportArtifact(a.id)}>
        Export
      </button>
    </div>
  );
}
