/**
 * Per-node restart and artifact export in Chromium against `awe serve`: "Rerun from here"
 * runs the node and its downstream again while upstream keeps its output; exporting an
 * artifact downloads exactly the artifact's bytes; the run bundle downloads as a zip.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import type { Download, Page } from 'playwright-core';
import { hasChromium, latestRunId, nodeEl, root, screenshotBothThemes, useE2e, waitForAllNodes, waitForNodeStatus } from './support';

const CHAIN = {
  version: 1,
  id: 'e2e-chain',
  name: 'Upstream, middle, downstream',
  nodes: [
    { id: 'upstream', kind: 'tool', tool: 'text.template', label: 'Write the text', inputs: { template: 'kept output' } },
    { id: 'middle', kind: 'tool', tool: 'util.wait', label: 'Wait', inputs: { ms: 300 } },
    { id: 'downstream', kind: 'tool', tool: 'json.transform', label: 'Shout', inputs: { data: { t: '{{nodes.upstream.output.text}}', w: '{{nodes.middle.output.waitedMs}}' }, expression: '$uppercase(t)' } },
  ],
  edges: [
    { id: 'upstream-middle', source: 'upstream', target: 'middle' },
    { id: 'middle-downstream', source: 'middle', target: 'downstream' },
  ],
};

interface NodeState {
  status: string;
  attempts: number;
  generation: number;
  output?: unknown;
}

const downloadBytes = async (download: Download) => readFile((await download.path())!);

/** Every data-status the given node shows from now on. */
async function watchStatus(page: Page, nodeId: string): Promise<() => Promise<string[]>> {
  const key = `__seen_${nodeId}`;
  await page.evaluate(
    ({ nodeId, key }) => {
      const seen: string[] = [];
      (window as any)[key] = seen;
      const el = document.querySelector(`.react-flow__node [data-node-id="${nodeId}"]`)!;
      seen.push(el.getAttribute('data-status')!);
      new MutationObserver(() => {
        const s = el.getAttribute('data-status')!;
        if (seen[seen.length - 1] !== s) seen.push(s);
      }).observe(el, { attributes: true, attributeFilter: ['data-status'] });
    },
    { nodeId, key },
  );
  return () => page.evaluate((k) => (window as any)[k] as string[], key);
}

describe.skipIf(!hasChromium)('rerun and export (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('"Rerun from here" runs the node and its downstream again; upstream keeps its output', async () => {
    const { page } = await e2e.openApp();
    await page.getByTestId('import-file').setInputFiles({ name: 'chain.awe.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(CHAIN)) });
    await nodeEl(page, 'downstream').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForAllNodes(page, 'succeeded');
    const runId = await latestRunId(e2e.server);
    const first = (await e2e.server.api(`/api/runs/${runId}`)).nodes as Record<string, NodeState>;
    expect(first.middle.attempts).toBe(1);

    const upstreamSeen = await watchStatus(page, 'upstream');
    const middleSeen = await watchStatus(page, 'middle');
    await nodeEl(page, 'middle').click();
    await page.getByRole('button', { name: 'Rerun from here' }).click();
    // The rerun is visible: the middle node runs again…
    await waitForNodeStatus(page, 'middle', 'running');
    await waitForAllNodes(page, 'succeeded');
    expect(await middleSeen()).toContain('running');
    // …while the upstream node never left succeeded.
    expect(await upstreamSeen()).toEqual(['succeeded']);

    const after = (await e2e.server.api(`/api/runs/${runId}`)).nodes as Record<string, NodeState>;
    expect(after.upstream.attempts).toBe(1);
    expect(after.upstream.generation).toBe(first.upstream.generation);
    expect(after.middle.attempts).toBe(2);
    expect(after.downstream.attempts).toBe(2);
    expect(after.middle.generation).toBeGreaterThan(first.middle.generation);
    expect(after.downstream.output).toEqual({ result: 'KEPT OUTPUT' });

    // The inspector shows both executions of the rerun node, and the upstream output is still there.
    const inspector = page.getByTestId('inspector');
    await inspector.locator('summary', { hasText: 'Attempts' }).locator('.count', { hasText: '2' }).waitFor();
    await screenshotBothThemes(page, 'rerun');
    await nodeEl(page, 'upstream').click();
    await inspector.getByText('kept output').first().waitFor();
  });

  test('exporting an artifact downloads exactly its bytes; the run bundle downloads as a zip', async () => {
    const { page } = await e2e.openApp();
    await page.getByTestId('import-file').setInputFiles(join(root, 'resources', 'examples', 'document-generation.awe.json'));
    await nodeEl(page, 'save').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    // The example declares run inputs: Run asks for them, defaults filled in.
    await page.getByRole('dialog', { name: 'Run inputs' }).getByRole('button', { name: 'Start run' }).click();
    await waitForAllNodes(page, 'succeeded');

    await page.getByRole('tab', { name: /Artifacts/ }).click();
    const panel = page.getByTestId('artifacts');
    const exportButton = panel.getByRole('button', { name: 'Export release-notes.md' });
    await exportButton.waitFor();
    await screenshotBothThemes(page, 'artifacts');

    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
    expect(download.suggestedFilename()).toBe('release-notes.md');
    const downloaded = await downloadBytes(download);

    const runId = await latestRunId(e2e.server);
    const run = await e2e.server.api(`/api/runs/${runId}`);
    expect(run.artifacts).toHaveLength(1);
    const res = await fetch(`${e2e.server.url}/api/artifacts/${run.artifacts[0].id}/download`, { headers: { authorization: `Bearer ${e2e.server.token}` } });
    const stored = Buffer.from(await res.arrayBuffer());
    expect(downloaded.equals(stored)).toBe(true);
    // And those bytes are the document the run rendered.
    expect(downloaded.toString('utf8')).toBe(run.nodes.render.output.result);
    expect(downloaded.toString('utf8')).toMatch(/^# AWE 0\.1\.0 release notes/);

    const [bundle] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export run bundle' }).click()]);
    const files = unzipSync(new Uint8Array(await downloadBytes(bundle)));
    const names = Object.keys(files);
    expect(names.some((n) => n.endsWith('release-notes.md'))).toBe(true);
    const artifactInZip = names.find((n) => n.endsWith('release-notes.md'))!;
    expect(Buffer.from(files[artifactInZip]).equals(stored)).toBe(true);
  });
});
