/** The inbox: newest first, unread marked; open one to read it and go to its ticket. */
import { useState } from "react";
import type { Schemas } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { unreadChanged } from "../components/unread";
import { useAsync } from "../components/useAsync";
import { Checkbox, ErrorMessage, Loading, Pager, When } from "../components/ui";
import { Link } from "../router";

const PAGE = 20;

export function NotificationsPage() {
  const { api } = useAuth();
  const [offset, setOffset] = useState(0);
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inbox = useAsync(
    () => api.get("/api/notifications", { query: { limit: PAGE, offset, unread: onlyUnread } }),
    [api, offset, onlyUnread],
  );

  const markRead = async (n: Schemas["NotificationRead"]) => {
    setError(null);
    try {
      await api.post("/api/notifications/{notification_id}/read", { path: { notification_id: n.id } });
      await inbox.reload();
      unreadChanged();
    } catch (err) {
      setError(err);
    }
  };

  const markAll = async () => {
    setError(null);
    try {
      await api.post("/api/notifications/read-all");
      await inbox.reload();
      unreadChanged();
    } catch (err) {
      setError(err);
    }
  };

  const page = inbox.data;
  return (
    <section aria-labelledby="inbox-title">
      <div className="page-head">
        <h1 id="inbox-title">
          Notifications{page ? <span className="muted"> ({page.unread} unread)</span> : null}
        </h1>
        <div className="actions">
          <button type="button" onClick={() => void inbox.reload()}>
            Refresh
          </button>
          <button type="button" onClick={() => void markAll()} disabled={!page?.unread}>
            Mark all as read
          </button>
        </div>
      </div>
      <Checkbox label="Only unread" checked={onlyUnread}
        onChange={(e) => { setOnlyUnread(e.target.checked); setOffset(0); }} />
      <ErrorMessage error={error} />
      <ErrorMessage error={inbox.error} onRetry={() => void inbox.reload()} />
      {inbox.loading && !page && !inbox.error ? <Loading what="notifications" /> : null}
      {page && !inbox.error && page.items.length === 0 ? <p className="empty">Nothing here yet.</p> : null}
      <ul className="inbox">
        {(inbox.error ? [] : (page?.items ?? [])).map((n) => (
          <li key={n.id} className={n.read_at ? "read" : "unread"}>
            <div>
              <p className="title">
                {n.read_at ? null : <span className="badge badge-unread">Unread</span>} {n.title}
              </p>
              <p>{n.body}</p>
              <p className="meta">
                <When at={n.created_at} />
                {n.ticket_id !== null ? (
                  <>
                    {" · "}
                    <Link to={`/tickets/${n.ticket_id}`} onClick={() => { if (!n.read_at) void markRead(n); }}>
                      Open ticket #{n.ticket_id}
                    </Link>
                  </>
                ) : null}
              </p>
            </div>
            {n.read_at ? null : (
              <button type="button" onClick={() => void markRead(n)} aria-label={`Mark “${n.title}” as read`}>
                Mark as read
              </button>
            )}
          </li>
        ))}
      </ul>
      {page ? (
        <Pager label="Notification pages" offset={offset} limit={PAGE} total={page.total} onChange={setOffset} />
      ) : null}
    </section>
  );
}
