/**
 * The OTLP endpoint set in Settings, as a person sets it: typed key by key (a malformed one is
 * refused with a reason first), with an auth header that is never shown again; the next run's
 * spans arrive at an OTLP/HTTP receiver in this test on 127.0.0.1, with the header, without
 * restarting `awe serve`.
 */
import { describe, expect, test, afterAll, beforeAll } from 'vitest';
import { attr, startReceiver } from '../../src/engine/observe/otlp-receiver.testkit';
import type { Page } from 'playwright-core';
import { hasChromium, latestRunId, screenshotBothThemes, useE2e, waitForAllNodes, type AweServer } from './support';

// The server inherits this: its batches leave every 200 ms rather than every 5 s.
process.env.OTEL_BSP_SCHEDULE_DELAY = '200';
delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

/** Plans the onboarding goal, runs it to success, and returns the run's id. */
async function planAndRun(page: Page, server: AweServer): Promise<string> {
  await page.getByRole('textbox', { name: 'Goal' }).click();
  await page.getByRole('textbox', { name: 'Goal' }).pressSequentially('Write an onboarding checklist for new engineers');
  await page.getByRole('button', { name: 'Plan' }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitForAllNodes(page, 'succeeded');
  return latestRunId(server);
}

const runSpan = (runId: string) => receiver.spans.find((s) => s.name.startsWith('run ') && attr(s, 'awe.run.id') === runId);

describe.skipIf(!hasChromium)('OTLP endpoint in Settings (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('typed in Settings, applied at once: the next run’s spans reach the receiver with the auth header', async () => {
    const app = await e2e.openApp({ theme: 'light' });
    const { page } = app;
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await expect.poll(() => dialog.getByTestId('otlp-source').textContent()).toMatch(/^Off: no OTLP endpoint/);

    // A host without a scheme is refused, naming the problem; nothing is applied.
    app.expectConsoleError(/status of 400/);
    const endpoint = dialog.getByLabel('OTLP endpoint (traces over OTLP/HTTP)');
    await endpoint.click();
    await endpoint.pressSequentially(new URL(receiver.url).host);
    await dialog.getByLabel('OTLP headers', { exact: true }).pressSequentially('authorization=Bearer e2e-otlp-token');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('the OTLP endpoint must be an http(s) URL');

    await endpoint.press('Home');
    await endpoint.pressSequentially('http://');
    expect(await endpoint.inputValue()).toBe(receiver.url);
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.waitFor({ state: 'detached' });

    const runId = await planAndRun(page, e2e.server);
    await expect.poll(() => runSpan(runId), { timeout: 15_000 }).toBeDefined();
    const attempts = receiver.spans.filter((s) => s.parentSpanId === runSpan(runId)!.spanId).map((s) => s.name);
    expect(attempts.sort()).toEqual(['node outline', 'node save']);
    expect(receiver.paths.every((p) => p.startsWith('POST /v1/traces'))).toBe(true);
    expect(receiver.headers.map((h) => h.authorization)).toEqual(receiver.headers.map(() => 'Bearer e2e-otlp-token'));

    // Open again: the endpoint is shown as the source; the header only as "set".
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => dialog.getByTestId('otlp-source').textContent()).toBe(`Traces of every run go to ${receiver.url}/v1/traces.`);
    expect(await endpoint.inputValue()).toBe(receiver.url);
    expect(await dialog.getByText('headers set').count()).toBe(1);
    expect(await dialog.getByLabel('OTLP headers', { exact: true }).inputValue()).toBe('');
    expect(await dialog.textContent()).not.toContain('e2e-otlp-token');
    await dialog.getByRole('heading', { name: 'Observability' }).scrollIntoViewIfNeeded();
    await screenshotBothThemes(page, 'settings-observability');
    // Clearing the header leaves the endpoint as it is.
    await dialog.getByRole('button', { name: 'Clear OTLP headers' }).click();
    await expect.poll(() => dialog.getByText('headers set').count()).toBe(0);
    expect(await dialog.getByLabel('OTLP headers', { exact: true }).getAttribute('placeholder')).toBe('authorization=Bearer …');
    expect(await dialog.getByTestId('otlp-source').textContent()).toBe(`Traces of every run go to ${receiver.url}/v1/traces.`);
  }, 180_000);
});

describe.skipIf(!hasChromium)('OTLP endpoint from the environment (Chromium against awe serve)', () => {
  // Registered before useE2e's hooks: the server starts with the variable set.
  beforeAll(() => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  });
  const e2e = useE2e();
  afterAll(() => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  });

  test('Settings names the variable as the source and leaves the fields to it; runs are traced there', async () => {
    const { page } = await e2e.openApp();
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await expect
      .poll(() => dialog.getByTestId('otlp-source').textContent())
      .toBe(`Set by OTEL_EXPORTER_OTLP_ENDPOINT in the environment (it wins over Settings): traces go to ${receiver.url}.`);
    const endpoint = dialog.getByLabel('OTLP endpoint (traces over OTLP/HTTP)');
    expect(await endpoint.inputValue()).toBe(receiver.url);
    expect(await endpoint.isDisabled()).toBe(true);
    expect(await dialog.getByLabel('OTLP headers', { exact: true }).isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    const runId = await planAndRun(page, e2e.server);
    await expect.poll(() => runSpan(runId), { timeout: 15_000 }).toBeDefined();
  }, 180_000);
});
