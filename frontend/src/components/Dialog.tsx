/**
 * A modal dialog on the native <dialog> (focus kept inside, Escape closes, the page behind
 * inert); focus goes back to where it was when the dialog closes.
 */
import { useEffect, useId, useRef, type ReactNode } from "react";
import { t } from "../i18n";

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}

export function Dialog({ title, onClose, children, className }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const before = document.activeElement as HTMLElement | null;
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", ""); // jsdom
    // showModal focuses the first control; a dialog may name a safer one (e.g. Cancel).
    dialog.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    const onCancel = (event: Event) => {
      event.preventDefault();
      close.current();
    };
    dialog.addEventListener("cancel", onCancel);
    return () => {
      dialog.removeEventListener("cancel", onCancel);
      if (typeof dialog.close === "function" && dialog.open) dialog.close();
      before?.focus?.();
    };
  }, []);

  return (
    <dialog ref={ref} aria-labelledby={titleId} className={className}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** "Are you sure?" for a step that cannot simply be undone. */
export function ConfirmDialog({
  title,
  children,
  confirm,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirm: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog title={title} onClose={onCancel}>
      {children}
      <div className="button-row">
        <button type="button" className="primary" onClick={onConfirm}>
          {confirm}
        </button>
        <button type="button" onClick={onCancel} data-autofocus>
          {t("common.cancel")}
        </button>
      </div>
    </Dialog>
  );
}
