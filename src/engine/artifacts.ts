/**
 * Artifacts are files under `<dataDir>/artifacts/<runId>/`, recorded in the store with
 * size, sha256, mime and the node that made them, and announced with `artifact.created`.
 * Names come from tools (and so from models): every path is made safe, resolved and
 * checked to stay inside the artifacts root.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { Artifact, EngineEventBody } from '../contract';
import { timeSortableId } from './ids';
import { mimeForName } from './web-assets';
import type { Store, StoredArtifact } from './store/store';
import type { ArtifactSink } from './tools/types';


/** A file name that is safe on every OS: no folders, no control or reserved characters, not hidden. */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\\/:*?"<>|\x00-\x1f\x7f]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
    .slice(0, 120);
  return cleaned || 'artifact';
}

export class ArtifactFiles {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly store: Store,
    /** Announces a saved artifact in its run's event log. */
    private readonly announce: (runId: string, body: EngineEventBody) => void,
  ) {
    this.root = resolve(dataDir, 'artifacts');
  }

  sinkFor(runId: string, nodeId: string): ArtifactSink {
    return { save: (name, content, mime) => Promise.resolve(this.save(runId, nodeId, name, content, mime)) };
  }

  save(runId: string, nodeId: string, name: string, content: string | Uint8Array, mime?: string): Artifact {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const dir = this.inside(safeFileName(runId));
    mkdirSync(dir, { recursive: true });
    const base = safeFileName(name);
    const fileName = this.writeUnique(dir, `${safeFileName(nodeId)}-${base}`, bytes);
    const artifact: StoredArtifact = {
      id: timeSortableId('a'),
      runId,
      nodeId,
      name: base,
      mime: mime ?? mimeForName(base),
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      createdAt: Date.now(),
      relPath: `${safeFileName(runId)}/${fileName}`,
    };
    this.store.addArtifact(artifact);
    const { relPath: _relPath, ...record } = artifact;
    this.announce(runId, { type: 'artifact.created', nodeId, artifact: record });
    return record;
  }

  /** The artifact's file, checked to lie inside the artifacts root. */
  pathOf(artifact: StoredArtifact): string {
    return this.inside(artifact.relPath);
  }

  private inside(relative: string): string {
    const full = resolve(this.root, relative);
    if (full !== this.root && !full.startsWith(this.root + sep)) {
      throw new Error(`artifact path "${relative}" would leave the artifacts folder ${this.root}`);
    }
    return full;
  }

  /** Writes without overwriting: a rerun saving the same name keeps the earlier file. */
  private writeUnique(dir: string, fileName: string, bytes: Buffer): string {
    const ext = extname(fileName);
    const stem = fileName.slice(0, fileName.length - ext.length);
    for (let n = 1; n < 10_000; n++) {
      const candidate = n === 1 ? fileName : `${stem}-${n}${ext}`;
      try {
        writeFileSync(this.inside(join(dir, candidate)), bytes, { flag: 'wx' });
        return candidate;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    throw new Error(`too many artifacts named "${fileName}" in ${dir}`);
  }
}
