/**
 * WCAG contrast of what is on screen, measured in Chromium: for every visible piece of text
 * (text nodes, field values and placeholders) the computed text colour against its
 * effective background, composited through every ancestor's background colour and opacity.
 * Text covered by something else (a dialog's backdrop, a toast), scrolled out of its box
 * or part of a disabled control is skipped, as WCAG 1.4.3 exempts inactive components.
 * Decorative glyphs (aria-hidden) are graphics: they need 3:1 (WCAG 1.4.11), text 4.5:1.
 */
import type { Page } from 'playwright-core';

export interface LowContrast {
  text: string;
  ratio: number;
  need: number;
  fg: string;
  bg: string;
  where: string;
}

/** Every piece of text on the page below its required ratio (worst first), and every text that was measured. */
export function measureContrast(page: Page): Promise<{ low: LowContrast[]; checked: string[] }> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const cache = new Map<string, Rgba>();
    /** Any CSS colour the browser computes (rgb, color(srgb …), oklab…) as 0–255 RGB and 0–1 alpha, through a canvas. */
    const parse = (css: string): Rgba => {
      const hit = cache.get(css);
      if (hit) return hit;
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      const out: Rgba = [r, g, b, a / 255];
      cache.set(css, out);
      return out;
    };
    const over = (top: Rgba, under: Rgba): Rgba => {
      const a = top[3];
      return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
    };
    const mix = (from: Rgba, to: Rgba, t: number): Rgba => [from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t, from[2] + (to[2] - from[2]) * t, 1];
    const lum = ([r, g, b]: Rgba) => {
      const ch = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    const ratio = (a: Rgba, b: Rgba) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    const hex = (c: Rgba) => `#${c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

    /**
     * The text pixel and the background pixel next to it: each ancestor's background is laid
     * over what is behind it, and each ancestor's opacity fades its whole subtree into that.
     */
    const pixels = (el: Element, color: string): { fg: Rgba; bg: Rgba } => {
      const chain: Element[] = [];
      for (let e: Element | null = el; e; e = e.parentElement) chain.unshift(e);
      const paint = (i: number, behind: Rgba, withText: boolean): Rgba => {
        const cs = getComputedStyle(chain[i]);
        const inner = over(parse(cs.backgroundColor), behind);
        const content = i === chain.length - 1 ? (withText ? over(parse(color), inner) : inner) : paint(i + 1, inner, withText);
        return mix(behind, content, Number(cs.opacity));
      };
      const page: Rgba = [255, 255, 255, 1];
      return { fg: paint(0, page, true), bg: paint(0, page, false) };
    };

    const modal = [...document.querySelectorAll('[role="dialog"][aria-modal="true"]')].pop() ?? null;
    const style = document.createElement('style');
    // Hit-testing finds what is on top at a point; elements that let clicks through must count too.
    style.textContent = '* { pointer-events: auto !important; }';
    document.head.append(style);
    const onTop = (el: Element, rect: DOMRect) => {
      const x = rect.left + rect.width / 2;
      const y = rect.top + rect.height / 2;
      if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
      // Topmost first: transparent layers (React Flow's portals, wrappers) do not cover anything.
      for (const hit of document.elementsFromPoint(x, y)) {
        if (el.contains(hit) || hit.contains(el)) return true;
        if (parse(getComputedStyle(hit).backgroundColor)[3] > 0.05) return false;
      }
      return false;
    };
    const inactive = (el: Element) => !!el.closest(':disabled, [aria-disabled="true"]');
    const describe = (el: Element) => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && parts.length < 3; e = e.parentElement) {
        const cls = typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).slice(0, 2).join('.')}` : '';
        parts.unshift(`${e.tagName.toLowerCase()}${cls}`);
      }
      return parts.join(' > ');
    };

    const out: LowContrast[] = [];
    const checked = new Set<string>();
    const check = (el: Element, text: string, color: string, rect: DOMRect) => {
      if (!text.trim() || inactive(el) || (modal && !modal.contains(el) && !el.closest('.toasts'))) return;
      if (rect.width < 1 || rect.height < 1 || !onTop(el, rect)) return;
      const cs = getComputedStyle(el);
      if (cs.visibility !== 'visible' || parse(color)[3] === 0) return;
      checked.add(text.trim());
      const { fg, bg } = pixels(el, color);
      const need = el.closest('[aria-hidden="true"]') ? 3 : 4.5;
      const r = ratio(fg, bg);
      if (r < need) out.push({ text: text.trim().slice(0, 40), ratio: Math.round(r * 100) / 100, need, fg: hex(fg), bg: hex(bg), where: describe(el) });
    };

    try {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest('script, style, option, .react-flow__minimap')) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const rect = range.getClientRects()[0];
        if (rect) check(el, n.textContent ?? '', getComputedStyle(el).color, rect);
      }
      for (const field of document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')) {
        if (field instanceof HTMLInputElement && !/^(text|search|url|password|number|email)$/.test(field.type)) continue;
        const rect = field.getBoundingClientRect();
        if (field.value) check(field, field.value, getComputedStyle(field).color, rect);
        else if (field.placeholder) check(field, field.placeholder, getComputedStyle(field, '::placeholder').color, rect);
      }
    } finally {
      style.remove();
    }
    const seen = new Set<string>();
    const low = out
      .sort((a, b) => a.ratio - b.ratio)
      .filter((x) => {
        const key = `${x.where}|${x.fg}|${x.bg}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    return { low, checked: [...checked] };
  });
}
