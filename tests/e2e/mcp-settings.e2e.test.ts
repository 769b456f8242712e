/**
 * The MCP user (JOURNEYS.md, 5), in Chromium against `awe serve`: imports the `mcpServers`
 * file of another MCP client in Settings, reads the exact command before approving it, and
 * when the server's program is missing sees why in words, the command on a line of its own
 * (the message once ran together: "…was not found command: /nonexistent/…").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { hasChromium, useE2e } from './support';

describe.skipIf(!hasChromium)('MCP servers in Settings (Chromium against awe serve)', () => {
  const e2e = useE2e();
  const dir = mkdtempSync(join(tmpdir(), 'awe-e2e-mcp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('an imported server shows its command before approval; a missing program fails in words, the command on its own line', async () => {
    const file = join(dir, 'claude_desktop_config.json');
    writeFileSync(file, JSON.stringify({ mcpServers: { ghost: { command: join(dir, 'no-such-mcp-server'), args: ['--stdio'] } } }));
    const { page } = await e2e.openApp();
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('mcpServers file').setInputFiles(file);
    await settings.getByRole('button', { name: 'Import MCP servers' }).click();
    const server = settings.getByTestId('mcp-servers').locator('li', { hasText: 'ghost' });
    await server.getByText('This command will run on your machine once approved:').waitFor();
    expect(await server.locator('code').textContent()).toBe(`${join(dir, 'no-such-mcp-server')} --stdio`);

    await server.getByRole('button', { name: 'Approve ghost' }).click();
    const error = server.locator('.field-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(new RegExp(`^MCP server 'ghost' failed to start: .+\\n\\s*command: ${join(dir, 'no-such-mcp-server')} --stdio`));
  });
});
