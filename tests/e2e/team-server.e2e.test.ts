/**
 * The app attached to a team server, as a person does it: two `awe serve` processes on
 * fresh data folders, "local" (the page's own) and "team" (allowing the local page's
 * origin). In Settings → Servers the person types the team's address and token key by
 * key, connects, sees the team's run like a local one, exports it (fetched with the token
 * in a header, never in a URL), and switches back to the local engine with one click.
 */
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAweServer, type AweServer } from './harness';
import { hasChromium, screenshotBothThemes, useE2e, waitForAllNodes } from './support';

const TEAM_WORKFLOW = {
  version: 1,
  id: 'team-greeting',
  name: 'Team greeting',
  nodes: [
    { id: 'greet', kind: 'tool', tool: 'text.template', label: 'Greet the team', inputs: { template: 'Hello from the team server' } },
    { id: 'shout', kind: 'tool', tool: 'json.transform', label: 'Shout', inputs: { data: '{{nodes.greet.output}}', expression: '$uppercase(text)' } },
  ],
  edges: [{ id: 'greet-shout', source: 'greet', target: 'shout' }],
};

describe.skipIf(!hasChromium)('the app attached to a team server (Chromium against two awe serve)', () => {
  const e2e = useE2e();
  let team: AweServer | undefined;
  let teamRunId = '';

  beforeAll(async () => {
    // The team server lets the local page's origin attach, and nothing else.
    team = await startAweServer(['--allow-origin', e2e.server.url]);
    await team.api('/api/workflows', { body: TEAM_WORKFLOW });
    teamRunId = (await team.api<{ run_id: string }>('/api/runs', { body: { workflow_id: TEAM_WORKFLOW.id } })).run_id;
    for (let i = 0; i < 100; i++) {
      const run = await team.api<{ status: string }>(`/api/runs/${teamRunId}`);
      if (run.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    await team?.close();
  });

  test('types the team’s address and token in Settings, sees its run, exports it, and switches back', async () => {
    const { page } = await e2e.openApp();
    const header = page.getByRole('banner');
    await header.getByRole('button', { name: 'Engine: local' }).waitFor();
    const history = page.getByRole('list', { name: 'Run history' });
    expect(await history.getByRole('button', { name: /^Open run Team greeting/ }).count()).toBe(0);

    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel('Server address').pressSequentially(team!.url);
    await dialog.getByLabel('Server token').pressSequentially(team!.token);
    await dialog.getByRole('button', { name: 'Add server' }).click();
    const connect = dialog.getByRole('button', { name: `Connect to ${team!.url}` });
    await connect.waitFor();
    // The token is kept by the local engine, never shown or listed.
    expect(await dialog.textContent()).not.toContain(team!.token);
    expect(await dialog.getByLabel('Server token').inputValue()).toBe('');
    await screenshotBothThemes(page, 'team-server-settings');

    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await Promise.all([page.waitForEvent('load'), connect.click()]);
    const teamHost = new URL(team!.url).host;
    await header.getByRole('button', { name: `Engine: team server ${teamHost}` }).waitFor({ timeout: 15_000 });
    await page.getByTestId('connection-banner').waitFor({ state: 'detached' });
    // The page now talks to the team server, and no URL it opened carries a token.
    await expect.poll(() => sockets.some((u) => u.startsWith(`${team!.url.replace('http', 'ws')}/ws`))).toBe(true);
    expect(sockets.filter((u) => u.includes('token='))).toEqual([]);

    const teamRun = history.getByRole('button', { name: /^Open run Team greeting/ });
    await teamRun.waitFor({ timeout: 15_000 });
    await teamRun.click();
    await waitForAllNodes(page, 'succeeded');
    await screenshotBothThemes(page, 'team-server-run');

    const [download] = await Promise.all([page.waitForEvent('download'), header.getByRole('button', { name: 'Export run' }).click()]);
    expect(download.suggestedFilename()).toBe(`run-${teamRunId}.zip`);
    expect(download.url()).not.toContain('token=');
    const files = unzipSync(new Uint8Array(await readFile((await download.path())!)));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['workflow.awe.json', 'events.jsonl', 'run.json']));
    expect(JSON.parse(new TextDecoder().decode(files['run.json'])).run.id).toBe(teamRunId);

    await Promise.all([page.waitForEvent('load'), header.getByRole('button', { name: 'Use local engine' }).click()]);
    await header.getByRole('button', { name: 'Engine: local' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('palette-item-text.template').waitFor();
    expect(await history.getByRole('button', { name: /^Open run Team greeting/ }).count()).toBe(0);
  });
});
