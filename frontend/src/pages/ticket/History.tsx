/** The ticket's audit entries, oldest first, in words. */
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { PersonName } from "../../components/people";
import { ErrorMessage, humanise, Loading, When } from "../../components/ui";

type Change = Record<string, unknown> | null;

/** One line for an audit entry (`ticket.status_changed` {status: a} -> {status: b}, …). */
export function describeEntry(action: string, old: Change, next: Change): string {
  if (action === "ticket.status_changed" && old && next) {
    return `Status changed from ${humanise(String(old.status))} to ${humanise(String(next.status))}`;
  }
  if (action === "ticket.created") return "Ticket filed";
  if (action === "comment.added") return next?.internal ? "Internal note added" : "Comment added";
  if (action === "attachment.added") {
    return next?.filename ? `Attachment ${String(next.filename)} added` : "Attachment added";
  }
  if (action === "ticket.updated" && next) {
    if (Object.keys(next).length === 1 && "assignee_id" in next) {
      return next.assignee_id ? "Assignee changed" : "Unassigned";
    }
    const fields = Object.keys(next).map((f) => humanise(f.replace(/_id$/, "")).toLowerCase());
    return fields.length ? `Changed ${fields.join(", ")}` : "Ticket updated";
  }
  if (action === "ticket.deleted") return "Ticket deleted";
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
      <h2 id="history-title">History</h2>
      <ErrorMessage error={history.error} onRetry={() => void history.reload()} />
      {history.loading && !history.data ? <Loading what="history" /> : null}
      <ol className="history">
        {(history.error ? [] : (history.data ?? [])).map((h) => (
          <li key={h.seq}>
            <When at={h.at} /> — {describeEntry(h.action, h.old ?? null, h.new ?? null)}
            {h.actor ? (
              <>
                {" by "}
                <PersonName person={h.actor} />
              </>
            ) : h.actor_id ? (
              " by Unknown user"
            ) : (
              " by the system"
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
