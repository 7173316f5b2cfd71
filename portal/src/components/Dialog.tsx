import { useEffect, useId, useRef, useState } from 'react';
import type { ApiError } from '../api/client';
import { ErrorMessage } from './Status';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog, rendered while it is open: the native `<dialog>` opened with `showModal()` (the
 * page behind it is inert and hidden from assistive technology), labelled by its title, with Tab and
 * Shift+Tab kept inside it, Escape closing it, and the focus back where it was when it closes. The
 * element marked `data-autofocus` gets the focus first, else the first control.
 */
export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose(): void;
  children: React.ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    (dialog.querySelector<HTMLElement>('[data-autofocus]') ?? focusables(dialog)[0] ?? dialog).focus();
    // Escape: the browser cancels the dialog; it stays open until the page says it is closed.
    const cancel = (event: Event) => {
      event.preventDefault();
      close.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);

  const keepFocusInside = (event: React.KeyboardEvent<HTMLDialogElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
      return;
    }
    if (event.key !== 'Tab') return;
    const controls = focusables(event.currentTarget);
    if (controls.length === 0) return;
    const first = controls[0]!;
    const last = controls.at(-1)!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !event.currentTarget.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onKeyDown={keepFocusInside}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** A yes-or-no question in a dialog: the action's answer is shown in it when it fails. */
export function ConfirmDialog({
  title,
  action,
  danger = false,
  onConfirm,
  onClose,
  children,
}: {
  title: string;
  action: string;
  danger?: boolean;
  onConfirm(): Promise<ApiError | undefined>;
  onClose(): void;
  children: React.ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const confirm = async () => {
    setBusy(true);
    const failure = await onConfirm();
    setBusy(false);
    if (failure) setError(failure);
    else onClose();
  };
  return (
    <Dialog title={title} onClose={onClose}>
      {children}
      {error && <ErrorMessage error={error} title={`${action} failed`} />}
      <div className="actions">
        <button type="button" className="secondary" onClick={onClose} disabled={busy} data-autofocus>
          Cancel
        </button>
        <button
          type="button"
          className={danger ? 'danger' : undefined}
          onClick={() => void confirm()}
          disabled={busy}
        >
          {action}
        </button>
      </div>
    </Dialog>
  );
}

function focusables(root: HTMLElement): HTMLElement[] {
  // A radio group is one Tab stop: its checked radio.
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (element) =>
      (element.offsetParent !== null || element === document.activeElement) &&
      !(element instanceof HTMLInputElement && element.type === 'radio' && !element.checked),
  );
}
