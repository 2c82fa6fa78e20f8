/** Comments; staff of the ticket's system may mark one as an internal note. */
import { useState, type FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth, useUser } from "../../auth/AuthContext";
import { isStaff } from "../../auth/roles";
import { useAsync } from "../../components/useAsync";
import { PersonName } from "../../components/people";
import { Checkbox, ErrorMessage, Loading, TextArea, When } from "../../components/ui";
import { t } from "../../i18n";

interface Props {
  ticket: Schemas["TicketDetail"];
  version: number;
  onAdded: () => void;
}

export function Comments({ ticket, version, onAdded }: Props) {
  const { api } = useAuth();
  const user = useUser();
  const comments = useAsync(
    () => api.get("/api/tickets/{ticket_id}/comments", { path: { ticket_id: ticket.id } }),
    [api, ticket.id, version],
  );
  const [body, setBody] = useState("");
  const [internal, setInternal] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const staff = isStaff(user, ticket.system);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post("/api/tickets/{ticket_id}/comments", {
        path: { ticket_id: ticket.id },
        body: { body, internal: staff && internal },
      });
      setBody("");
      setInternal(false);
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="comments-title" className="card">
      <h2 id="comments-title">{t("ticket.comments")}</h2>
      <ErrorMessage error={comments.error} onRetry={() => void comments.reload()} />
      {comments.loading && !comments.data ? <Loading what={t("ticket.commentsLoading")} /> : null}
      {comments.data && !comments.error && comments.data.length === 0 ? <p className="muted">{t("ticket.noComments")}</p> : null}
      <ol className="comments">
        {(comments.data ?? []).map((c) => (
          <li key={c.id} className={c.internal ? "comment internal" : "comment"}>
            <p className="meta">
              <strong>
                <PersonName person={c.author} />
              </strong> · <When at={c.created_at} />
              {c.internal ? <span className="badge badge-internal">{t("ticket.internalNote")}</span> : null}
            </p>
            <p className="prewrap">{c.body}</p>
          </li>
        ))}
      </ol>
      <form onSubmit={submit}>
        <ErrorMessage error={error} />
        <TextArea label={t("ticket.addComment")} name="comment" required rows={3} maxLength={20000}
          value={body} onChange={(e) => setBody(e.target.value)} />
        {staff ? (
          <Checkbox label={t("ticket.internalCheck")} checked={internal}
            onChange={(e) => setInternal(e.target.checked)} />
        ) : null}
        <button type="submit" disabled={busy || !body.trim()}>
          {busy ? t("ticket.posting") : internal ? t("ticket.addInternal") : t("ticket.addCommentButton")}
        </button>
      </form>
    </section>
  );
}
