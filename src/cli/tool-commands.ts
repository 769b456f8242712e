/**
 * `awe tools | artifacts | export | import-run`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { EngineError } from '../engine';
import { CliError, EXIT, openEngine, printJson, requireRunId, type GlobalFlags } from './common';

export interface ToolFlags extends GlobalFlags {
  out?: string;
}

export async function toolsCommand(_args: string[], flags: ToolFlags): Promise<number> {
  const engine = await openEngine(flags);
  try {
    const tools = (await engine.listTools()).map((t) => ({ name: t.name, title: t.title, effects: t.effects, source: t.source }));
    if (flags.json) printJson(tools);
    else for (const t of tools) process.stdout.write(`${t.name.padEnd(36)} ${t.effects.padEnd(8)} ${t.source.padEnd(12)} ${t.title}\n`);
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}

export async function artifactsCommand(args: string[], flags: ToolFlags): Promise<number> {
  const engine = await openEngine(flags);
  try {
    const runId = requireRunId(engine, args[0]);
    const artifacts = engine.listArtifacts(runId).map((a) => ({ ...a, path: engine.artifactPath(a.id) }));
    if (flags.json) printJson(artifacts);
    else if (artifacts.length === 0) process.stdout.write(`run ${runId} saved no artifacts\n`);
    else for (const a of artifacts) process.stdout.write(`${a.name.padEnd(28)} ${a.mime.padEnd(24)} ${String(a.size).padStart(9)} B  ${a.nodeId}  ${a.path}\n`);
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}

export async function exportCommand(args: string[], flags: ToolFlags): Promise<number> {
  if (!flags.out) throw new CliError('usage: awe export RUN_ID --out PATH');
  const engine = await openEngine(flags);
  try {
    const runId = requireRunId(engine, args[0]);
    const bytes = await engine.exportRunBundle(runId);
    writeFileSync(flags.out, bytes);
    process.stdout.write(`wrote ${flags.out} (${bytes.byteLength} bytes)\n`);
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}

export async function importRunCommand(args: string[], flags: ToolFlags): Promise<number> {
  if (args.length !== 1) throw new CliError('usage: awe import-run FILE [--json]');
  let bytes: Buffer;
  try {
    bytes = readFileSync(args[0]);
  } catch (err) {
    throw new CliError(`cannot read ${args[0]}: ${(err as Error).message}`);
  }
  const engine = await openEngine(flags);
  try {
    let imported;
    try {
      imported = await engine.importRunBundle(bytes, { fileName: basename(args[0]) });
    } catch (err) {
      if (err instanceof EngineError) throw new CliError(`${args[0]}: ${err.message}`);
      throw err;
    }
    const run = engine.getRun(imported.runId)!;
    if (flags.json) printJson({ ...imported, status: run.status });
    else {
      const renamed = imported.runId === imported.originalRunId ? '' : ` (its id ${imported.originalRunId} is taken here)`;
      process.stdout.write(`imported run ${imported.runId}${renamed}: ${run.status}, read-only (see \`awe show ${imported.runId}\`)\n`);
    }
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}
