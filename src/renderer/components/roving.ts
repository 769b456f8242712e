/**
 * One Tab stop per list (roving tabindex, as the ARIA authoring practices describe): inside
 * the list the arrow keys move, Home/End jump, Enter or Space activates. Rows are marked
 * `data-roving-row`, the focusable things in them `data-roving-cell` (a row may be its own
 * cell, as a table row is); `data-roving-cell="primary"` is the cell Tab lands on first.
 * Left/Right move between the cells of one row (a row's checkbox, its Export button).
 */
import { useCallback, useRef, type KeyboardEvent } from 'react';

const ROW = '[data-roving-row]';
const CELL = '[data-roving-cell]';
/** A row the list shows as current (the open run, the previewed artifact, the replayed event). */
const CURRENT = '.on, [aria-current="true"], [aria-selected="true"]';

function rowsOf(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(ROW)];
}

function cellsOf(row: HTMLElement): HTMLElement[] {
  const inner = [...row.querySelectorAll<HTMLElement>(CELL)].filter((c) => !(c as HTMLButtonElement).disabled);
  return row.matches(CELL) ? [row, ...inner] : inner;
}

function primaryOf(row: HTMLElement): HTMLElement | undefined {
  const cells = cellsOf(row);
  return cells.find((c) => c.dataset.rovingCell === 'primary') ?? cells[0];
}

/** The cell Tab should land on when the list has not been visited yet. */
function defaultCell(root: HTMLElement): HTMLElement | undefined {
  const rows = rowsOf(root);
  const current = rows.find((r) => r.matches(CURRENT) || r.querySelector(CURRENT));
  return (current && primaryOf(current)) ?? (rows[0] && primaryOf(rows[0]));
}

const NATIVE = /^(BUTTON|INPUT|SELECT|TEXTAREA|A|SUMMARY)$/;

/**
 * Props for the list's container: `ref`, `onKeyDown`, `onFocus`, `onBlur`. Rows may come and go
 * (a live timeline): the tab stop is kept on the last focused cell while it exists.
 */
export function useRovingFocus<T extends HTMLElement>() {
  const active = useRef<HTMLElement | null>(null);

  /** True while the focus is in the list: a focused row that goes away (a live list) hands the focus on. */
  const focusedInside = useRef(false);

  const sync = useCallback((root: HTMLElement) => {
    const lost = !!active.current && !root.contains(active.current);
    const keep = active.current && !lost ? active.current : defaultCell(root);
    // Written only when it changes: a live timeline syncs after every redraw, and each write is a DOM mutation (style invalidation).
    for (const row of rowsOf(root)) {
      for (const cell of cellsOf(row)) {
        const want = cell === keep ? '0' : '-1';
        if (cell.getAttribute('tabindex') !== want) cell.setAttribute('tabindex', want);
      }
    }
    if (lost && focusedInside.current && (document.activeElement === document.body || document.activeElement === null)) {
      active.current = keep ?? null;
      keep?.focus();
    }
  }, []);

  const detach = useRef<(() => void) | null>(null);

  const ref = useCallback(
    (root: T | null) => {
      detach.current?.();
      detach.current = null;
      if (!root) return;
      sync(root);
      const mo = new MutationObserver(() => sync(root));
      mo.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'aria-selected', 'aria-current', 'disabled'] });
      // A click elsewhere (even on something that takes no focus) means the person left the list.
      const onPointerDown = (e: PointerEvent) => {
        if (!root.contains(e.target as Node)) focusedInside.current = false;
      };
      document.addEventListener('pointerdown', onPointerDown, true);
      detach.current = () => {
        mo.disconnect();
        document.removeEventListener('pointerdown', onPointerDown, true);
      };
    },
    [sync],
  );

  const onFocus = useCallback(
    (e: React.FocusEvent<T>) => {
      const cell = (e.target as HTMLElement).closest<HTMLElement>(CELL);
      if (!cell || !e.currentTarget.contains(cell)) return;
      focusedInside.current = true;
      active.current = cell;
      sync(e.currentTarget);
    },
    [sync],
  );

  const onBlur = useCallback((e: React.FocusEvent<T>) => {
    if (e.relatedTarget && !e.currentTarget.contains(e.relatedTarget as Node)) focusedInside.current = false;
  }, []);

  const onKeyDown = useCallback((e: KeyboardEvent<T>) => {
    const root = e.currentTarget;
    const cell = (e.target as HTMLElement).closest<HTMLElement>(CELL);
    if (!cell || !root.contains(cell) || e.altKey || e.ctrlKey || e.metaKey) return;
    const row = cell.closest<HTMLElement>(ROW);
    if (!row) return;
    const rows = rowsOf(root);
    const cells = cellsOf(row);
    const col = Math.max(0, cells.indexOf(cell));
    const inRow = (r: HTMLElement | undefined) => {
      if (!r) return undefined;
      const cs = cellsOf(r);
      // Same column where the row has it, else the row's main cell.
      return cs[col] ?? primaryOf(r);
    };
    let next: HTMLElement | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = inRow(rows[rows.indexOf(row) + 1]);
        break;
      case 'ArrowUp':
        next = inRow(rows[rows.indexOf(row) - 1]);
        break;
      case 'Home':
        next = inRow(rows[0]);
        break;
      case 'End':
        next = inRow(rows[rows.length - 1]);
        break;
      case 'ArrowRight':
        next = cells[col + 1];
        break;
      case 'ArrowLeft':
        next = cells[col - 1];
        break;
      case 'Enter':
      case ' ':
        // Buttons and checkboxes act on their own; a focusable row acts as its click.
        if (NATIVE.test(cell.tagName)) return;
        e.preventDefault();
        cell.click();
        return;
      default:
        return;
    }
    e.preventDefault();
    next?.focus();
  }, []);

  return { ref, onFocus, onBlur, onKeyDown };
}
