/**
 * Artifacts are files under `<dataDir>/artifacts/<runId>/`, recorded in the store with
 * size, sha256, mime and the node that made them, and announced with `artifact.created`.
 * Names come from tools (and so from models): every path is made safe, resolved and
 * checked to stay inside the artifacts root.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Artifact, EngineEventBody } from '../../contract';
import { timeSortableId } from './ids';
import { mimeForName } from './web-assets';
import type { Store, StoredArtifact } from '../store/store';
import type { ArtifactSink } from '../tools/types';


/**
 * Invisible characters that reorder or hide text: with U+202E (right-to-left override)
 * "report\u202Etxt.exe" displays as "reportexe.txt". Bidi embeddings, overrides and isolates,
 * directional marks, zero-width spaces and the BOM are removed.
 */
const HIDDEN_FORMATTING = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex -- control characters (C0, DEL, C1, line/paragraph separators) are exactly what must go
const UNSAFE_CHARACTERS = /[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u2028\u2029]/g;
/** Device names Windows reserves whatever the extension (`CON.txt` opens the console). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])$/i;
/** @default 120 UTF-8 bytes: with the node id and a counter the file name stays under the 255 bytes file systems allow. */
export const MAX_FILE_NAME_BYTES = 120;

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    bytes += Buffer.byteLength(ch, 'utf8');
    if (bytes > maxBytes) break;
    out += ch;
  }
  return out;
}

/**
 * A file name that is safe on every OS: no folders, no control, hidden-formatting or reserved
 * characters, not hidden, not a Windows device name; long names are shortened in the stem so
 * the extension survives.
 */
export function safeFileName(name: string, maxBytes = MAX_FILE_NAME_BYTES): string {
  const cleaned = name
    .normalize('NFC')
    .replace(HIDDEN_FORMATTING, '')
    .replace(UNSAFE_CHARACTERS, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (!cleaned) return 'artifact';
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 17 ? cleaned.slice(dot) : '';
  let stem = cleaned.slice(0, cleaned.length - ext.length);
  if (Buffer.byteLength(cleaned, 'utf8') > maxBytes) stem = cutToBytes(stem, Math.max(1, maxBytes - Buffer.byteLength(ext, 'utf8'))).replace(/[.\s]+$/, '');
  // Windows judges the part before the first dot, ignoring trailing spaces: "con.tar.gz", "NUL .txt".
  const device = stem.split('.')[0].trimEnd();
  if (WINDOWS_RESERVED.test(device)) stem = `_${stem}`;
  return `${stem}${ext}` || 'artifact';
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
    return { save: (name, content, mime, options) => Promise.resolve(this.save(runId, nodeId, name, content, mime, options?.idempotencyKey)) };
  }

  /**
   * Saves an artifact. With an `idempotencyKey`, the file name carries a hash of the key and
   * the name, and the store row (written in one statement) is the commit point: a second save
   * of the same bytes under the same key returns the first record. A kill after the file was
   * written but before the row leaves a file that the next save simply overwrites.
   */
  save(runId: string, nodeId: string, name: string, content: string | Uint8Array, mime?: string, idempotencyKey?: string): Artifact {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const dir = this.inside(safeFileName(runId));
    mkdirSync(dir, { recursive: true });
    const base = safeFileName(name);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const prefix = safeFileName(nodeId, 60);
    let fileName: string | undefined;
    if (idempotencyKey !== undefined) {
      const keyed = `${prefix}-${createHash('sha256').update(`${idempotencyKey}\0${base}`).digest('hex').slice(0, 12)}-${base}`;
      const relPath = `${safeFileName(runId)}/${keyed}`;
      const earlier = this.store.listArtifacts(runId).find((a) => a.relPath === relPath);
      if (earlier?.sha256 === sha256) {
        const { relPath: _relPath, ...record } = earlier;
        // Announced again: a kill may have come before the first announcement was written (the view keeps one per id).
        this.announce(runId, { type: 'artifact.created', nodeId, artifact: record });
        return record;
      }
      if (!earlier) {
        writeFileSync(this.inside(join(dir, keyed)), bytes);
        fileName = keyed;
      }
    }
    fileName ??= this.writeUnique(dir, `${prefix}-${base}`, bytes);
    const artifact: StoredArtifact = {
      id: timeSortableId('a'),
      runId,
      nodeId,
      name: base,
      mime: mime ?? mimeForName(base),
      size: bytes.byteLength,
      sha256,
      createdAt: Date.now(),
      relPath: `${safeFileName(runId)}/${fileName}`,
    };
    this.store.addArtifact(artifact);
    const { relPath: _relPath, ...record } = artifact;
    this.announce(runId, { type: 'artifact.created', nodeId, artifact: record });
    return record;
  }

  /**
   * Writes an imported run's artifact file (a bundle's, checked by bundle-import.ts) under the
   * same safe names as a saved one, without recording it: the import records every artifact in
   * its one transaction. Asynchronous, so a large bundle's files do not hold the event loop.
   * Returns the path relative to the artifacts root.
   */
  async importFile(runId: string, nodeId: string, name: string, bytes: Uint8Array): Promise<string> {
    const dir = this.inside(safeFileName(runId));
    await mkdir(dir, { recursive: true });
    const content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const candidate of uniqueNames(`${safeFileName(nodeId, 60)}-${safeFileName(name)}`)) {
      const path = this.inside(join(dir, candidate));
      try {
        await writeFile(path, content, { flag: 'wx' });
        return `${safeFileName(runId)}/${candidate}`;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        // Created by this call (`wx` refuses a file that was there) and cut short: not kept.
        await rm(path, { force: true });
        throw err;
      }
    }
    throw new Error(`too many artifacts named "${name}" in ${dir}`);
  }

  /**
   * Takes back what a failed import wrote: its files, and the run's folder when nothing else is
   * in it (a folder another run's artifacts share is kept).
   */
  async removeImported(runId: string, relPaths: readonly string[]): Promise<void> {
    await Promise.all(relPaths.map((relPath) => rm(this.inside(relPath), { force: true })));
    await rmdir(this.inside(safeFileName(runId))).catch(() => undefined);
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
    for (const candidate of uniqueNames(fileName)) {
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

/** `name`, then `name-2.ext`, `name-3.ext`…: the names tried in turn for a file that must not overwrite another. */
function* uniqueNames(fileName: string): Generator<string> {
  const ext = extname(fileName);
  const stem = fileName.slice(0, fileName.length - ext.length);
  for (let n = 1; n < 10_000; n++) yield n === 1 ? fileName : `${stem}-${n}${ext}`;
}
