/**
 * Remote runs opened offline (issue 12), as a person does it in Chromium: run a workflow on one
 * `awe serve`, export the run, switch to another data folder (a fresh server), choose
 * "Import run…" in the run history and pick the zip: the run opens like any other, marked as
 * imported and from where, with its nodes, outputs and artifacts. A file that is not a run
 * bundle, or one too large for the browser's connection, is refused with a message saying why.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
      // One too large for the WebSocket's messages: refused before sending, the connection stays up.
      const big = join(dir, 'big.zip');
      writeFileSync(big, Buffer.alloc(8 * 1024 * 1024, 1));
      chooser = await Promise.all([other.waitForEvent('filechooser'), other.getByRole('button', { name: 'Import run…' }).click()]).then(([c]) => c);
      await chooser.setFiles(big);
      await other.locator('.toast.error', { hasText: 'Could not import big.zip: it is 8.0 MB, and through the browser a run bundle can be at most 7.5 MB' }).waitFor();
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
});
