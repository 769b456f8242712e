/**
 * End-to-end support: a real `awe serve` (real engine, SQLite store, fresh data folder)
 * per test file, one headless Chromium per file, a fresh browser context per test, and
 * page console errors turned into test failures. Used by every `*.e2e.test.ts`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ensureRendererBuilt, hasChromium, launchChromium, root, startAweServer, type AweServer } from './harness';

export { hasChromium, root, type AweServer } from './harness';

/** Screenshots go to docs/screenshots only on request, so test runs never rewrite them. */
export const takeScreenshots = process.env.AWE_SCREENSHOTS === '1';

/**
 * AWE_E2E_CPU_THROTTLE=4 runs every page's main thread 4× slower (Chromium's CPU throttling):
 * the late frames and effects of a loaded CI machine, on demand, to shake out tests that race the page.
 */
const cpuThrottle = Number(process.env.AWE_E2E_CPU_THROTTLE ?? 1);

export interface AppPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
  /** Marks console errors matching `pattern` as expected in this test. */
  expectConsoleError(pattern: RegExp): void;
}

export interface E2e {
  readonly server: AweServer;
  readonly browser: Browser;
  /** The app in a fresh browser context (own storage, downloads accepted), loaded and connected. */
  /** `prepare` runs on the new context before the app's page opens (routes, init scripts). */
  openApp(opts?: { theme?: 'light' | 'dark'; prepare?: (context: BrowserContext) => Promise<void> }): Promise<AppPage>;
}

/**
 * Registers the hooks of an e2e test file: server and browser for the file, contexts
 * closed after each test, and a test fails when its page logged an unexpected error.
 */
export function useE2e(): E2e {
  let server: AweServer | undefined;
  let browser: Browser | undefined;
  let open: { app: AppPage; allowed: RegExp[] }[] = [];

  beforeAll(async () => {
    if (!hasChromium) return;
    ensureRendererBuilt();
    [server, browser] = await Promise.all([startAweServer(), launchChromium()]);
  });

  afterEach(async () => {
    const pages = open;
    open = [];
    const unexpected = pages.flatMap(({ app, allowed }) => app.errors.filter((e) => !allowed.some((re) => re.test(e))));
    await Promise.all(pages.map(({ app }) => app.context.close()));
    if (unexpected.length) throw new Error(`the page logged unexpected errors:\n${unexpected.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  return {
    get server() {
      if (!server) throw new Error('the e2e server is not running (no Chromium?)');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('no browser (no Chromium?)');
      return browser;
    },
    async openApp(opts = {}) {
      const context = await this.browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
      if (opts.theme) {
        const persisted = JSON.stringify({ theme: opts.theme });
        await context.addInitScript((value) => {
          if (!localStorage.getItem('awe.ui')) localStorage.setItem('awe.ui', value);
        }, persisted);
      }
      await opts.prepare?.(context);
      const page = await context.newPage();
      if (cpuThrottle > 1) await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: cpuThrottle });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      const allowed: RegExp[] = [];
      const app: AppPage = { page, context, errors, expectConsoleError: (re) => void allowed.push(re) };
      open.push({ app, allowed });
      await page.goto(this.server.appUrl);
      // Connected: the palette lists the server's tools and no connection banner is up.
      await page.getByTestId('palette-item-text.template').waitFor();
      await page.getByTestId('connection-banner').waitFor({ state: 'detached' });
      return app;
    },
  };
}

/** The data-status of every node on the canvas, by node id. */
export async function nodeStatuses(page: Page): Promise<Record<string, string>> {
  return page.$$eval('.react-flow__node [data-node-id]', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-node-id')!, e.getAttribute('data-status')!])),
  );
}

/** Waits until every node on the canvas shows `status` (and there is at least one node). */
export async function waitForAllNodes(page: Page, status: string, timeout = 30_000): Promise<void> {
  await page
    .waitForFunction(
      (want) => {
        const els = [...document.querySelectorAll('.react-flow__node [data-node-id]')];
        return els.length > 0 && els.every((e) => e.getAttribute('data-status') === want);
      },
      status,
      { timeout },
    )
    .catch(async (err: Error) => {
      const toasts = await page.locator('.toast').allTextContents();
      throw new Error(`not every node became ${status}: ${JSON.stringify(await nodeStatuses(page))}; messages: ${JSON.stringify(toasts)} (${err.message.split('\n')[0]})`);
    });
}

/** Waits until node `id` shows `status`; on timeout says what every node showed and what the app said. */
export async function waitForNodeStatus(page: Page, id: string, status: string, timeout = 30_000): Promise<void> {
  // A function polled every frame: a locator wait was seen to miss a 400 ms `running` state.
  await page
    .waitForFunction(({ id, status }) => !!document.querySelector(`.react-flow__node [data-node-id="${id}"][data-status="${status}"]`), { id, status }, { timeout })
    .catch(async (err: Error) => {
      const toasts = await page.locator('.toast').allTextContents();
      throw new Error(`${id} never showed ${status}: ${JSON.stringify(await nodeStatuses(page))}; messages: ${JSON.stringify(toasts)} (${err.message.split('\n')[0]})`);
    });
}

/** The node's element on the canvas. */
export const nodeEl = (page: Page, id: string) => page.locator(`.react-flow__node [data-node-id="${id}"]`);

export interface ScreenBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The screen boxes of the first element matching each selector, read in one go (one frame).
 * The canvas may be mid-way through its fit animation, which moves every node alike: boxes read
 * one call apart do not compare (a node read a frame later was seen 60 px from where its
 * neighbour's box said). Throws when one is missing.
 */
export async function screenBoxes(page: Page, selectors: string[]): Promise<ScreenBox[]> {
  return page.evaluate(
    (list) =>
      list.map((selector) => {
        const el = document.querySelector(selector);
        if (!el) throw new Error(`nothing on the page matches ${selector}`);
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    selectors,
  );
}

/** The selector of node `id`'s element on the canvas (as nodeEl finds it). */
export const nodeSelector = (id: string) => `.react-flow__node [data-node-id="${id}"]`;

/** The run id of the watched run, from the newest entry of the server's run list. */
export async function latestRunId(server: AweServer): Promise<string> {
  const { runs } = await server.api<{ runs: { runId: string }[] }>('/api/runs?limit=1');
  if (!runs.length) throw new Error('the server has no runs');
  return runs[0].runId;
}

/**
 * Saves `docs/screenshots/<name>-light.png` and `-dark.png` of the page as it is now
 * (only with AWE_SCREENSHOTS=1; AWE_SCREENSHOTS_DIR=… writes elsewhere), switching the
 * theme with the app's own button and back.
 */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  if (!takeScreenshots) return;
  const dir = process.env.AWE_SCREENSHOTS_DIR ?? join(root, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const themeNow = async () => ((await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark' ? 'dark' : 'light');
  // A dispatched click: an open dialog's backdrop would catch a real one.
  const toggle = () => page.getByRole('button', { name: 'Toggle theme' }).dispatchEvent('click');
  const first = await themeNow();
  await page.screenshot({ path: join(dir, `${name}-${first}.png`) });
  await toggle();
  const second = first === 'dark' ? 'light' : 'dark';
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, second);
  await page.screenshot({ path: join(dir, `${name}-${second}.png`) });
  await toggle();
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, first);
}
