/**
 * Keyboard helpers for e2e tests: move the focus with Tab / Shift+Tab as a person does,
 * and check at every stop that the focused element shows a focus indicator.
 */
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';

/**
 * Why the focused element shows no focus indicator, or null when it shows one: an outline
 * or border in the accent colour, or (edges) a thicker accent stroke.
 */
export function focusProblem(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return 'nothing has the focus';
    const accent = (() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--accent)';
      document.body.append(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    })();
    const cs = getComputedStyle(el);
    const describe = `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} “${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}”`;
    if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 && cs.outlineColor === accent) return null;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) && cs.borderTopColor === accent) return null;
    if (el.matches('.react-flow__edge')) {
      const path = el.querySelector('.awe-edge');
      if (path && parseFloat(getComputedStyle(path).strokeWidth) >= 3 && getComputedStyle(path).stroke === accent) return null;
    }
    return `no visible focus on ${describe} (outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}, accent ${accent})`;
  });
}

export async function expectFocusVisible(page: Page): Promise<void> {
  expect(await focusProblem(page)).toBeNull();
}

/** Presses Tab (Shift+Tab with `back`) until `target` has the focus; checks the focus ring at every stop; returns the number of presses. */
export async function tabTo(page: Page, target: Locator, { back = false, max = 80 } = {}): Promise<number> {
  const handle = await target.elementHandle({ timeout: 5_000 });
  for (let i = 0; i <= max; i++) {
    if (await page.evaluate((h) => h === document.activeElement, handle)) return i;
    const from = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 160));
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    expect(await focusProblem(page), `${back ? 'Shift+Tab' : 'Tab'} from ${from}`).toBeNull();
  }
  throw new Error(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} never reached ${target}`);
}

/** Presses `key` and checks the focus ring afterwards. */
export async function press(page: Page, key: string): Promise<void> {
  await page.keyboard.press(key);
  await expectFocusVisible(page);
}

/** Presses ArrowDown / ArrowUp inside a list until the focused element's aria-label is `name`. */
export async function arrowTo(page: Page, name: string, key: 'ArrowDown' | 'ArrowUp' = 'ArrowDown', max = 40): Promise<void> {
  for (let i = 0; i <= max; i++) {
    if ((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) === name) return;
    await press(page, key);
  }
  throw new Error(`${key} never reached “${name}”`);
}
