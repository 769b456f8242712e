import { describe, expect, it, vi } from 'vitest';
import { createUiStore, INFO_TOAST_MS } from './ui';

describe('ui store', () => {
  it('keeps at most two runs ticked for comparison, dropping the oldest pick', () => {
    const ui = createUiStore(null);
    ui.getState().toggleCompare('r1');
    ui.getState().toggleCompare('r2');
    expect(ui.getState().compareRunIds).toEqual(['r1', 'r2']);
    ui.getState().toggleCompare('r3');
    expect(ui.getState().compareRunIds).toEqual(['r2', 'r3']);
    ui.getState().toggleCompare('r2');
    expect(ui.getState().compareRunIds).toEqual(['r3']);
  });

  it('remembers theme and panel sizes, clamped to usable limits', () => {
    const saved = new Map<string, string>();
    const storage = { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v) };
    const ui = createUiStore(storage);
    ui.getState().toggleTheme();
    ui.getState().setPanelSize('leftWidth', 5000);
    const again = createUiStore(storage);
    expect(again.getState().theme).toBe('dark');
    expect(again.getState().leftWidth).toBe(520);
  });

  it('info messages fade; errors stay until dismissed or until their problem is fixed; one message per problem source', () => {
    vi.useFakeTimers();
    try {
      const ui = createUiStore(null);
      ui.getState().notify('info', 'Saved.');
      ui.getState().notify('error', 'Could not start the run: 1 problem', ['save: name is required'], 'workflow');
      ui.getState().notify('error', 'Could not start the run: 2 problems', undefined, 'workflow');
      ui.getState().notify('error', 'Could not rerun save', undefined, 'rerun');
      expect(ui.getState().toasts.map((t) => t.text)).toEqual(['Saved.', 'Could not start the run: 2 problems', 'Could not rerun save']);
      vi.advanceTimersByTime(INFO_TOAST_MS + 1);
      expect(ui.getState().toasts.map((t) => t.text)).toEqual(['Could not start the run: 2 problems', 'Could not rerun save']);
      vi.advanceTimersByTime(60_000);
      expect(ui.getState().toasts).toHaveLength(2);
      ui.getState().resolve('workflow');
      expect(ui.getState().toasts.map((t) => t.text)).toEqual(['Could not rerun save']);
      ui.getState().dismiss(ui.getState().toasts[0].id);
      expect(ui.getState().toasts).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
