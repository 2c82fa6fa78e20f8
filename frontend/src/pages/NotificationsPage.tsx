/**
 * The inbox, most recently changed first, unread marked. An entry is one ticket's burst of
 * changes (contract §7): the ticket, how many changes, when the latest came, and the
 * changes one per line. The entry's title and lines are written by the notifications
 * service, in English (marked `lang="en"` for screen readers); everything around them is
 * in the reader's language. An entry that gathered several changes also carries its
 * `summary` as data (moves between states, who assigned, how many comments): its title is
 * built from that instead, with the states in the reader's words; a single change shows
 * the service's own title (it names who made the change).
 */
import { useState } from "react";
import type { Schemas } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { Relative } from "../components/sla";
import { unreadChanged } from "../components/unread";
import { useAsync } from "../components/useAsync";
import { Checkbox, ErrorMessage, Loading, Pager } from "../components/ui";
import { hasText, t, tn } from "../i18n";
import { humanise, stateLabel } from "../i18n/labels";
import { Link } from "../router";
import "./notifications.css";

const PAGE = 20;

type Summary = Schemas["NotificationSummary"];

type Note = Schemas["NotificationRead"];

/** What changed, in the reader's words ("status Open → In progress; 2 comments"); null
 * when there is no structured summary to say it from. */
export function summaryText(summary: Summary | null | undefined): string | null {
  if (!summary) return null;
  const parts = summary.created ? [t("notifications.part.created")] : [];
  const moves = summary.moves ?? [];
  if (moves.length) {
    const states = [moves[0]![1], ...moves.map((move) => move[2])];
    parts.push(t("notifications.part.status", { states: states.map(stateLabel).join(" → ") }));
  }
  if (summary.assigned_by) parts.push(t("notifications.part.assigned", { name: summary.assigned_by }));
  if (summary.comments) parts.push(tn("notifications.part.comments", summary.comments));
  if (summary.notes) parts.push(tn("notifications.part.notes", summary.notes));
  if (!parts.length) return null;
  const what = parts.join("; ");
  const title = summary.ticket?.title;
  return title ? t("notifications.about", { title, what }) : what.charAt(0).toUpperCase() + what.slice(1);
}

/** What kind of change opened the entry ("Status change"), in the reader's language. */
export function kindLabel(kind: string): string {
  const key = `notifications.kind.${kind}`;
  return hasText(key) ? t(key) : humanise(kind.replace(/\./g, " "));
}

/** The entry's changes, one per line (the service writes one line per change, oldest first). */
export function changeLines(note: Pick<Note, "body">): string[] {
  return note.body.split("\n").map((line) => line.trim()).filter(Boolean);
}

export function NotificationsPage() {
  const { api } = useAuth();
  const [offset, setOffset] = useState(0);
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inbox = useAsync(
    () => api.get("/api/notifications", { query: { limit: PAGE, offset, unread: onlyUnread } }),
    [api, offset, onlyUnread],
  );

  const markRead = async (n: Note) => {
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
          {t("common.nav.notifications")}
          {page ? <> <span className="muted inbox-unread">{t("notifications.unread", { count: page.unread })}</span></> : null}
        </h1>
        <div className="actions">
          <button type="button" onClick={() => void inbox.reload()}>
            {t("notifications.refresh")}
          </button>
          <button type="button" onClick={() => void markAll()} disabled={!page?.unread}>
            {t("notifications.markAll")}
          </button>
        </div>
      </div>
      <Checkbox label={t("notifications.onlyUnread")} checked={onlyUnread}
        onChange={(e) => { setOnlyUnread(e.target.checked); setOffset(0); }} />
      <ErrorMessage error={error} />
      <ErrorMessage error={inbox.error} onRetry={() => void inbox.reload()} />
      {inbox.loading && !page && !inbox.error ? <Loading what={t("notifications.loading")} /> : null}
      {page && !inbox.error && page.items.length === 0 ? <p className="empty">{t("notifications.empty")}</p> : null}
      <ul className="inbox">
        {(inbox.error ? [] : (page?.items ?? [])).map((n) => (
          <Entry key={n.id} note={n} onRead={() => void markRead(n)} />
        ))}
      </ul>
      {page ? (
        <Pager label={t("notifications.pages")} offset={offset} limit={PAGE} total={page.total} onChange={setOffset} />
      ) : null}
    </section>
  );
}

function Entry({ note: n, onRead }: { note: Note; onRead: () => void }) {
  const lines = changeLines(n);
  // One change keeps its own words (they name who made it); a gathered entry is worded
  // from its summary, in the reader's language.
  const own = n.count > 1 ? summaryText(n.summary) : null;
  return (
    <li className={n.read_at ? "note read" : "note unread"}>
      <div className="note-text">
        <p className="note-head">
          {n.read_at ? null : <span className="badge badge-unread">{t("notifications.unreadBadge")}</span>}
          {n.count === 1 ? <span className="badge note-kind">{kindLabel(n.kind)}</span> : null}
          {n.ticket_id !== null ? (
            <>
              <Link to={`/tickets/${n.ticket_id}`} onClick={() => { if (!n.read_at) onRead(); }}>
                {t("notifications.openTicket", { id: String(n.ticket_id) })}
              </Link>
              {" · "}
            </>
          ) : null}
          <span className="note-count">{tn("notifications.changes", n.count)}</span>
          {" · "}
          <Relative at={n.updated_at} />
        </p>
        {own ? (
          <p className="title">{own}</p>
        ) : (
          <p className="title" lang="en">
            {n.title}
          </p>
        )}
        {lines.length > 1 ? (
          <ul className="note-changes" aria-label={t("notifications.changesList")} lang="en">
            {lines.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        ) : lines.length === 1 ? (
          <p className="note-body" lang="en">
            {lines[0]}
          </p>
        ) : null}
      </div>
      {n.read_at ? null : (
        <button type="button" onClick={onRead} aria-label={t("notifications.markReadLabel", { title: n.title })}>
          {t("notifications.markRead")}
        </button>
      )}
    </li>
  );
}
