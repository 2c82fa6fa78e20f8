/**
 * Inline edit of a ticket's title, priority and category (PATCH sends only what changed).
 * Escape or "Cancel" leaves the form; focus goes back to the "Edit" button, or to the
 * heading after a save.
 */
import { useState, type FormEvent, type KeyboardEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ErrorMessage, SelectField, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { priorityLabel } from "../../i18n/labels";

type Ticket = Schemas["TicketDetail"];
type Update = Schemas["TicketUpdate"];
export const PRIORITIES = ["low", "medium", "high", "urgent"] as const;

/** The fields of `draft` that differ from `ticket` (an emptied category becomes null). */
export function changes(ticket: Ticket, draft: { title: string; priority: string; category: string }): Update {
  const out: Update = {};
  if (draft.title.trim() !== ticket.title) out.title = draft.title.trim();
  if (draft.priority !== ticket.priority) out.priority = draft.priority as Update["priority"];
  const category = draft.category.trim() || null;
  if (category !== (ticket.category ?? null)) out.category = category;
  return out;
}

interface Props {
  ticket: Ticket;
  onSaved: () => void;
  onCancel: () => void;
}

export function EditTicket({ ticket, onSaved, onCancel }: Props) {
  const { api } = useAuth();
  const [draft, setDraft] = useState({
    title: ticket.title,
    priority: ticket.priority,
    category: ticket.category ?? "",
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const body = changes(ticket, draft);
    if (!Object.keys(body).length) return onCancel();
    setBusy(true);
    setError(null);
    try {
      await api.patch("/api/tickets/{ticket_id}", { path: { ticket_id: ticket.id }, body });
      onSaved();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    }
  };

  return (
    <form className="card inline-edit-form" onSubmit={save} onKeyDown={onKeyDown} aria-label={t("ticket.edit.form")}>
      <h1 id="ticket-title" className="edit-heading">
        {t("ticket.edit.heading", { id: String(ticket.id) })}
      </h1>
      <ErrorMessage error={error} />
      <TextField
        label={t("common.field.title")}
        name="title"
        required
        minLength={5}
        maxLength={200}
        autoFocus
        value={draft.title}
        onChange={(e) => setDraft({ ...draft, title: e.target.value })}
      />
      <div className="row">
        <SelectField
          label={t("common.field.priority")}
          name="priority"
          options={PRIORITIES.map((p) => ({ value: p, label: priorityLabel(p) }))}
          value={draft.priority}
          onChange={(e) => setDraft({ ...draft, priority: e.target.value as Ticket["priority"] })}
        />
        <TextField
          label={t("common.field.category")}
          name="category"
          maxLength={100}
          hint={t("ticket.edit.categoryHint")}
          value={draft.category}
          onChange={(e) => setDraft({ ...draft, category: e.target.value })}
        />
      </div>
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("common.saving") : t("ticket.edit.save")}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
