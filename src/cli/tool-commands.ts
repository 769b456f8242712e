/**
 * `awe tools | artifacts | export | serve`.
 */
import { writeFileSync } from 'node:fs';
import { startServer } from '../server/server';
import { CliError, EXIT, openEngine, printJson, requireRunId, type GlobalFlags } from './common';

export interface ToolFlags extends GlobalFlags {
  out?: string;
  port?: string;
  host?: string;
  token?: string;
}

export async function toolsCommand(_args: string[], flags: ToolFlags): Promise<number> {
  const engine = openEngine(flags);
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
  const engine = openEngine(flags);
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
  const engine = openEngine(flags);
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

export async function serveCommand(_args: string[], flags: ToolFlags): Promise<number> {
  const port = flags.port === undefined ? 8787 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port expects 0–65535, got "${flags.port}"`);
  const engine = openEngine(flags, { interactive: true, resumeOnOpen: true });
  let server;
  try {
    server = await startServer({ engine, host: flags.host, port, token: flags.token });
  } catch (err) {
    await engine.close();
    throw new CliError(`cannot start the server: ${(err as Error).message}`, EXIT.failed);
  }
  const url = server.token ? `${server.url}/?token=${encodeURIComponent(server.token)}` : server.url;
  process.stdout.write(`AWE is serving ${url}\n(Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await engine.close();
  return EXIT.ok;
}
