/**
 * Remote runs opened offline (issue 12), as a person does it in Chromium: run a workflow on one
 * `awe serve`, export the run, switch to another data folder (a fresh server), choose
 * "Import run…" in the run history and pick the zip: the run opens like any other, marked as
 * imported and from where, with its nodes, outputs and artifacts. A bundle larger than a
 * WebSocket message (10 MB) imports too: the browser posts it to `POST /api/runs/import`. A file
 * that is not a run bundle, or one over the 64 MB any import takes, is refused saying why.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startAweServer, type AweServer } from './harness';
import { hasChromium, latestRunId, nodeEl, root, screenshotBothThemes, useE2e, waitForAllNodes } from './support';

describe.skipIf(!hasChromium)('importing a run (Chromium against awe serve)', () => {
  const e2e = useE2e();
  const dir = mkdtempSync(join(tmpdir(), 'awe-e2e-import-'));
  let elsewhere: AweServer | undefined;
  afterAll(async () => {
    await elsewhere?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('export a run, switch to a fresh data folder, Import run…: it opens read-only with its nodes and outputs', async () => {
    const { page } = await e2e.openApp();
    await page.getByTestId('import-file').setInputFiles(join(root, 'resources', 'examples', 'document-generation.awe.json'));
    await nodeEl(page, 'save').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('dialog', { name: 'Run inputs' }).getByRole('button', { name: 'Start run' }).click();
    await waitForAllNodes(page, 'succeeded');
    const runId = await latestRunId(e2e.server);
    const original = await e2e.server.api(`/api/runs/${runId}`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export run', exact: true }).click()]);
    const zip = join(dir, download.suggestedFilename());
    expect(download.suggestedFilename()).toBe(`run-${runId}.zip`);
    writeFileSync(zip, readFileSync((await download.path())!));

    // Another data folder: a fresh server that has never seen the run.
    elsewhere = await startAweServer();
    const fresh = await e2e.browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    try {
      const other = await fresh.newPage();
      const errors: string[] = [];
      other.on('pageerror', (e) => errors.push(e.message));
      await other.goto(elsewhere.appUrl);
      await other.getByTestId('palette-item-text.template').waitFor();
      const history = other.getByRole('list', { name: 'Run history' });
      await history.getByText('No runs yet.').waitFor();

      // A file that is not a run bundle: refused, saying why; nothing appears in the history.
      const junk = join(dir, 'notes.zip');
      writeFileSync(junk, 'these are my notes, not a zip');
      let chooser = await Promise.all([other.waitForEvent('filechooser'), other.getByRole('button', { name: 'Import run…' }).click()]).then(([c]) => c);
      await chooser.setFiles(junk);
      await other.locator('.toast.error', { hasText: 'Could not import notes.zip: not a run bundle: the file is not a zip AWE can read' }).waitFor();
      await history.getByText('No runs yet.').waitFor();
      // One over the 64 MB any import takes: refused before it is read or sent, the connection stays up.
      // (A sparse file: its 65 MB are never written to disk.)
      const huge = join(dir, 'huge.zip');
      writeFileSync(huge, '');
      truncateSync(huge, 65 * 1024 * 1024);
      chooser = await Promise.all([other.waitForEvent('filechooser'), other.getByRole('button', { name: 'Import run…' }).click()]).then(([c]) => c);
      await chooser.setFiles(huge);
      await other.locator('.toast.error', { hasText: 'Could not import huge.zip: it is 65.0 MB, and a run bundle can be at most 64 MB.' }).waitFor();
      expect(await other.getByTestId('connection-banner').count()).toBe(0);

      chooser = await Promise.all([other.waitForEvent('filechooser'), other.getByRole('button', { name: 'Import run…' }).click()]).then(([c]) => c);
      await chooser.setFiles(zip);
      // It opens like any other run: every node as it ended, the canvas marking it imported and from where.
      await waitForAllNodes(other, 'succeeded');
      const header = other.getByTestId('run-header');
      const mark = other.getByRole('note').filter({ hasText: `Imported run from run-${runId}.zip · read-only` });
      await mark.waitFor();
      expect(await header.getAttribute('data-run-id')).toBe(runId);
      expect(await mark.getAttribute('title')).toMatch(new RegExp(`^Imported from run-${runId}\\.zip, exported on .+ \\(run ${runId}\\); read-only here$`));
      const row = history.getByRole('button', { name: /^Open run .* \(imported\)$/ });
      await row.waitFor();
      expect(await row.getAttribute('data-run-id')).toBe(runId);

      // Its outputs: the rendered document in the inspector, the artifact with the same bytes.
      await nodeEl(other, 'render').click();
      const inspector = other.getByTestId('inspector');
      await inspector.getByText(/AWE 0\.1\.0 release notes/).first().waitFor();
      // Read-only: nothing offers to execute it again here.
      await inspector.getByText('This run was imported: it is read-only here. Rerun it where it was made.').waitFor();
      expect(await inspector.getByRole('button', { name: 'Rerun node' }).isDisabled()).toBe(true);
      expect(await inspector.getByRole('button', { name: 'Rerun from here' }).isDisabled()).toBe(true);
      await other.getByRole('tab', { name: /Artifacts/ }).click();
      await other.getByTestId('artifacts').getByRole('button', { name: 'Export release-notes.md' }).waitFor();
      const imported = await elsewhere.api(`/api/runs/${runId}`);
      expect(imported.status).toBe('succeeded');
      expect(imported.nodes.render.output).toEqual(original.nodes.render.output);
      const bytes = async (server: AweServer, id: string) =>
        Buffer.from(await (await fetch(`${server.url}/api/artifacts/${id}/download`, { headers: { authorization: `Bearer ${server.token}` } })).arrayBuffer());
      expect((await bytes(elsewhere, imported.artifacts[0].id)).equals(await bytes(e2e.server, original.artifacts[0].id))).toBe(true);
      await screenshotBothThemes(other, 'run-imported');
      expect(errors).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  test('a run bundle over 7.5 MB (more than a WebSocket message holds as base64) imports through the browser', async () => {
    // A run that saved 2 MB of random bytes (which no zip shrinks), given as a run input, made
    // and exported over REST: its bundle (the input is kept in several places) is over 7.5 MB,
    // which the browser once refused since it sent bundles over the WebSocket.
    const blob = randomBytes(2 * 1024 * 1024).toString('base64');
    const workflow = {
      id: 'big-artifact', name: 'Big artifact', version: 1,
      nodes: [
        { id: 'blob', kind: 'input', inputs: { name: 'blob' } },
        { id: 'save', kind: 'tool', tool: 'artifact.save', inputs: { name: 'blob.bin', content: '{{input.blob}}', format: 'bytes' } },
      ],
      edges: [{ id: 'e1', source: 'blob', target: 'save' }],
      settings: { inputs: { blob: { type: 'string' } } },
    };
    const { run_id: runId } = await e2e.server.api<{ run_id: string }>('/api/runs', { body: { workflow, inputs: { blob } } });
    await expect.poll(async () => (await e2e.server.api<{ status: string }>(`/api/runs/${runId}`)).status, { timeout: 30_000 }).toBe('succeeded');
    const exported = await fetch(`${e2e.server.url}/api/runs/${runId}/export`, { headers: { authorization: `Bearer ${e2e.server.token}` } });
    const zip = join(dir, 'big-run.zip');
    writeFileSync(zip, Buffer.from(await exported.arrayBuffer()));
    expect(statSync(zip).size).toBeGreaterThan(7.5 * 1024 * 1024);

    const fresh = await startAweServer();
    const context = await e2e.browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(fresh.appUrl);
      await page.getByTestId('palette-item-text.template').waitFor();
      const chooser = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import run…' }).click()]).then(([c]) => c);
      await chooser.setFiles(zip);
      await waitForAllNodes(page, 'succeeded');
      await page.getByRole('note').filter({ hasText: 'Imported run from big-run.zip · read-only' }).waitFor();
      await page.getByRole('tab', { name: /Artifacts/ }).click();
      await page.getByTestId('artifacts').getByRole('button', { name: 'Export blob.bin' }).waitFor();
      const imported = await fresh.api<{ artifacts: { id: string; size: number }[] }>(`/api/runs/${runId}`);
      const bytes = await fetch(`${fresh.url}/api/artifacts/${imported.artifacts[0].id}/download`, { headers: { authorization: `Bearer ${fresh.token}` } });
      expect(Buffer.from(await bytes.arrayBuffer()).equals(Buffer.from(blob, 'base64'))).toBe(true);
      expect(await page.getByTestId('connection-banner').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await fresh.close();
    }
  });
});
