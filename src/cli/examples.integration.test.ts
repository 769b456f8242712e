/**
 * Every example in resources/examples through the real `awe` command: the ones that need
 * no network or model run to success (the approval one approved from a second process);
 * the one that needs the network is refused with a clear message, never a hang.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJson, ROOT, useCliSandbox, waitForOutput } from './cli.testkit';

const cli = useCliSandbox();

const EXAMPLES_DIR = join(ROOT, 'resources', 'examples');
/** Tools that reach the network or a model: examples using them cannot run offline. */
const ONLINE_TOOLS = new Set(['http.fetch', 'llm.generate', 'agent.run']);

interface Example {
  file: string;
  tools: string[];
}

const examples: Example[] = readdirSync(EXAMPLES_DIR)
  .filter((name) => name.endsWith('.awe.json'))
  .sort()
  .map((name) => {
    const doc = JSON.parse(readFileSync(join(EXAMPLES_DIR, name), 'utf8')) as { nodes: { tool?: string }[] };
    return { file: join(EXAMPLES_DIR, name), tools: doc.nodes.flatMap((n) => (n.tool ? [n.tool] : [])) };
  });
const offline = examples.filter((e) => !e.tools.some((t) => ONLINE_TOOLS.has(t)));
const withApproval = offline.filter((e) => e.tools.includes('human.approve'));
const online = examples.filter((e) => e.tools.some((t) => ONLINE_TOOLS.has(t)));

describe('resources/examples through awe run', () => {
  it('has offline examples, one with an approval step, and one that needs the network', () => {
    expect(offline.length).toBeGreaterThanOrEqual(5);
    expect(withApproval.length).toBeGreaterThanOrEqual(1);
    expect(online.length).toBeGreaterThanOrEqual(1);
  });

  it.each(offline.filter((e) => !withApproval.includes(e)).map((e) => [e.file.split('/').at(-1)!, e] as const))('%s runs to success', async (_name, example) => {
    // The examples request the tools they need (settings.allowTools); running one is approving that.
    const r = await cli.awe('run', example.file, '--trust-workflow', '--json');
    const result = lastJson(r.stdout);
    expect({ status: result.status, deadLetters: result.deadLetters, error: result.error }).toEqual({ status: 'succeeded', deadLetters: [], error: undefined });
    expect(r.code).toBe(0);
  });

  it.each(withApproval.map((e) => [e.file.split('/').at(-1)!, e] as const))('%s runs to success once approved from a second process', async (_name, example) => {
    const run = cli.start(['run', example.file, '--trust-workflow', '--json']);
    const [, runId, nodeId] = await waitForOutput(run.output, /\(awe approve (\S+) (\S+) \[--reject\]\)/);
    const approve = await cli.awe('approve', runId, nodeId);
    expect(approve.code).toBe(0);
    const r = await run.result;
    expect(lastJson(r.stdout)).toMatchObject({ runId, status: 'succeeded', deadLetters: [] });
    expect(r.code).toBe(0);
  });

  it.each(online.map((e) => [e.file.split('/').at(-1)!, e] as const))('%s is refused headless with a message naming the tool and --allow', async (_name, example) => {
    const r = await cli.awe('run', example.file, '--json');
    expect(r.code).toBe(1);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('failed');
    const [first] = result.deadLetters as string[];
    expect(result.nodes[first].error.message).toMatch(/has network effects and is not allowed in headless runs; pass --allow http\.fetch/);
  });
});
