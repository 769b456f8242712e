/**
 * The one dialog frame every dialog uses: labelled by its title, `aria-modal`, focus moved
 * in on open and kept in (Tab and Shift-Tab cycle), Esc and ✕ close it, and focus goes back
 * to where it was (or to a fallback when that element is gone or disabled).
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

/** Elements a person can Tab to inside `root`, in order: enabled, rendered, not tabindex=-1. */
export function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => {
    if ((el as HTMLButtonElement).disabled || el.tabIndex < 0) return false;
    if (el instanceof HTMLInputElement && el.type === 'hidden') return false;
    if (el.closest('[inert]')) return false;
    return el.getClientRects().length > 0;
  });
}

/** Open dialogs, innermost last: only the top one answers Esc and holds the focus. */
const stack: HTMLElement[] = [];

function canTakeFocus(el: HTMLElement | null): el is HTMLElement {
  return !!el && el.isConnected && !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0 && el !== document.body;
}

export interface ModalProps {
  title: string;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  className?: string;
  /** Where focus goes on close when the element focused before opening is gone or disabled. */
  returnFocusTo?: () => HTMLElement | null;
  /** The element to focus on open; by default the first field, else the first footer/body button, else the dialog. */
  initialFocus?: () => HTMLElement | null;
}

export function Modal({ title, onClose, children, footer, wide, className, returnFocusTo, initialFocus }: ModalProps) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  // The latest callbacks, read by listeners registered once.
  const props = useRef({ onClose, returnFocusTo, initialFocus });
  props.current = { onClose, returnFocusTo, initialFocus };

  // Read while rendering the first time, before anything in the dialog can take the focus
  // (an effect would see the dialog's own field when React re-runs effects in StrictMode).
  const opener = useRef<HTMLElement | null | undefined>(undefined);
  if (opener.current === undefined) opener.current = document.activeElement as HTMLElement | null;

  useEffect(() => {
    const dialog = ref.current!;
    const before = opener.current ?? null;
    stack.push(dialog);
    const first = props.current.initialFocus?.() ?? firstFocus(dialog);
    (first ?? dialog).focus();

    const onKey = (e: KeyboardEvent) => {
      if (stack[stack.length - 1] !== dialog) return;
      if (e.key === 'Escape') {
        // Capture phase, stopped here: the canvas must not also clear its selection.
        e.preventDefault();
        e.stopPropagation();
        props.current.onClose();
      } else if (e.key === 'Tab') {
        const items = tabbables(dialog);
        if (!items.length) {
          e.preventDefault();
          dialog.focus();
          return;
        }
        const at = items.indexOf(document.activeElement as HTMLElement);
        const next = e.shiftKey ? (at <= 0 ? items.length - 1 : at - 1) : at === -1 || at === items.length - 1 ? 0 : at + 1;
        e.preventDefault();
        items[next].focus();
      }
    };
    // Focus that lands outside (a click on a toast, a programmatic focus) is brought back in.
    const onFocusIn = (e: FocusEvent) => {
      if (stack[stack.length - 1] !== dialog) return;
      const target = e.target as Node | null;
      if (target && !dialog.contains(target) && !(target as HTMLElement).closest?.('.toasts')) (firstFocus(dialog) ?? dialog).focus();
    };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('focusin', onFocusIn);
      stack.splice(stack.indexOf(dialog), 1);
      const back = canTakeFocus(before) ? before : (props.current.returnFocusTo?.() ?? null);
      if (back) back.focus();
      else if (stack.length) (firstFocus(stack[stack.length - 1]) ?? stack[stack.length - 1]).focus();
    };
  }, []);

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal${wide ? ' wide' : ''}${className ? ` ${className}` : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1} ref={ref}>
        <div className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-btn modal-close" aria-label="Close" title="Close (Esc)" onClick={onClose}>
            ✕
          </button>
        </div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-foot">{footer}</div>}
      </div>
    </div>
  );
}

/** The first field to type into, else the first action, else nothing (the dialog itself takes focus). */
function firstFocus(dialog: HTMLElement): HTMLElement | undefined {
  const items = tabbables(dialog);
  return (
    items.find((el) => el.matches('input:not([type=checkbox]):not([type=radio]):not([type=file]), textarea, select')) ??
    items.find((el) => !el.classList.contains('modal-close')) ??
    items[0]
  );
}
