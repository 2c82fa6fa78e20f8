/** The ticket's audit entries, oldest first, in words. */
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { PersonName, unknownPerson } from "../../components/people";
import { ErrorMessage, Loading, When } from "../../components/ui";
import { hasText, t, tx } from "../../i18n";
import { humanise, stateLabel } from "../../i18n/labels";

type Change = Record<string, unknown> | null;

/** A ticket field by its name ("assignee_id" → "Assignee"), in the reader's language. */
export function fieldLabel(field: string): string {
  const name = field.replace(/_id$/, "");
  if (name === "assignee") return t("ticket.fact.assignee");
  if (name === "status") return t("ticket.fact.status");
  const key = `common.field.${name}`;
  return hasText(key) ? t(key) : humanise(name);
}

/** One line for an audit entry (`ticket.status_changed` {status: a} -> {status: b}, …). */
export function describeEntry(action: string, old: Change, next: Change): string {
  if (action === "ticket.status_changed" && old && next) {
    return t("ticket.history.status", { from: stateLabel(String(old.status)), to: stateLabel(String(next.status)) });
  }
  if (action === "ticket.created") return t("ticket.history.filed");
  if (action === "comment.added") return next?.internal ? t("ticket.history.note") : t("ticket.history.comment");
  if (action === "attachment.added") {
    return next?.filename
      ? t("ticket.history.attachmentNamed", { name: String(next.filename) })
      : t("ticket.history.attachment");
  }
  if (action === "ticket.updated" && next) {
    if (Object.keys(next).length === 1 && "assignee_id" in next) {
      return next.assignee_id ? t("ticket.history.assigneeChanged") : t("ticket.history.unassigned");
    }
    const fields = Object.keys(next).map(fieldLabel);
    return fields.length ? t("ticket.history.changed", { fields: fields.join(", ") }) : t("ticket.history.updated");
  }
  if (action === "ticket.deleted") return t("ticket.history.deleted");
  return humanise(action.replace(/\./g, " "));
}

export function History({ ticketId, version }: { ticketId: number; version: number }) {
  const { api } = useAuth();
  const history = useAsync(
    () => api.get("/api/tickets/{ticket_id}/history", { path: { ticket_id: ticketId } }),
    [api, ticketId, version],
  );
  return (
    <section aria-labelledby="history-title" className="card">
      <h2 id="history-title">{t("ticket.history")}</h2>
      <ErrorMessage error={history.error} onRetry={() => void history.reload()} />
      {history.loading && !history.data ? <Loading what={t("ticket.historyLoading")} /> : null}
      <ol className="history">
        {(history.error ? [] : (history.data ?? [])).map((h) => {
          const parts = { when: <When at={h.at} />, what: describeEntry(h.action, h.old ?? null, h.new ?? null) };
          return (
            <li key={h.id}>
              {h.actor || h.actor_id
                ? tx("ticket.history.by", { ...parts, who: h.actor ? <PersonName person={h.actor} /> : unknownPerson() })
                : tx("ticket.history.bySystem", parts)}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
