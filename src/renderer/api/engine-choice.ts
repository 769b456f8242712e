/**
 * Which engine the page talks to: the local one (the desktop app's own, or the `awe
 * serve` that served this page) or a team server saved in Settings → Servers. Only the
 * team server's origin is remembered here; its token stays with the local engine's
 * secrets. Switching reloads the page: the CSP that lets it connect, the runs and the
 * canvas all belong to one engine at a time.
 */
const CHOICE_KEY = 'awe.engine';

export type EngineChoice = { kind: 'local' } | { kind: 'team'; url: string };

export function engineChoice(storage: Pick<Storage, 'getItem'> = window.localStorage): EngineChoice {
  let url: string | null = null;
  try {
    url = storage.getItem(CHOICE_KEY);
  } catch {
    // Storage disabled: the local engine.
  }
  return url ? { kind: 'team', url } : { kind: 'local' };
}

/** Switches to `url` (a saved team server's origin), or back to the local engine with null. */
export function chooseEngine(url: string | null, win: Pick<Window, 'localStorage' | 'location'> = window): void {
  if (url) win.localStorage.setItem(CHOICE_KEY, url);
  else win.localStorage.removeItem(CHOICE_KEY);
  win.location.reload();
}

/** What the header shows: `Local`, or the team server's host. */
export function engineLabel(choice: EngineChoice): string {
  return choice.kind === 'local' ? 'Local' : new URL(choice.url).host;
}
