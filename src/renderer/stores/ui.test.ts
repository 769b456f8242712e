import { describe, expect, it } from 'vitest';
import { createUiStore } from './ui';

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
});
