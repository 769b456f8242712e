/**
 * A test hook: a page that sets `window.__aweRenderCounts = {}` before the app loads sees
 * how often the panels that call this rendered (tests prove a drag or a run batch does not
 * re-render panels it does not concern). Without that object it does nothing.
 */
export function countRender(name: string): void {
  const counts = (globalThis as { __aweRenderCounts?: Record<string, number> }).__aweRenderCounts;
  if (counts) counts[name] = (counts[name] ?? 0) + 1;
}
