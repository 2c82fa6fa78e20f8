/** One ticket: details, SLA clocks, transitions, assignment (by name), comments, attachments, history, similar. */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../api/errors";
import type { Schemas } from "../api/client";
import { PersonPicker, staffName, type StaffMember } from "../components/PersonPicker";
import { PersonName } from "../components/people";
import { SlaPanel } from "../components/sla";
import { similar, type TicketDetail } from "../api/extras";
import { useAuth, useUser } from "../auth/AuthContext";
import { allowedTransitions, atLeast } from "../auth/roles";
import { useAsync } from "../components/useAsync";
import { Badge, ErrorMessage, humanise, Loading, Notice, When } from "../components/ui";
import { Link } from "../router";
import { Attachments } from "./ticket/Attachments";
import { Comments } from "./ticket/Comments";
import { History } from "./ticket/History";
import { listUrl, rememberOpened } from "./list/lastList";
import { EditTicket } from "./ticket/EditTicket";
import { mayEditContent, orderMoves } from "./ticket/moves";
import { Transitions } from "./ticket/Transitions";
import { Triage } from "./ticket/Triage";

type Ticket = Schemas["TicketDetail"];
type WorkflowLoad = {
  data: Schemas["WorkflowRead"] | undefined;
  error: unknown;
  reload: () => Promise<void>;
};

export function TicketPage({ id }: { id: number }) {
  const { api } = useAuth();
  const ticket = useAsync(
    (): Promise<TicketDetail> => api.get("/api/tickets/{ticket_id}", { path: { ticket_id: id } }),
    [api, id],
  );
  if (ticket.error) {
    const missing = ticket.error instanceof ApiError && ticket.error.status === 404;
    return (
      <section aria-labelledby="ticket-title">
        <h1 id="ticket-title">{missing ? "Ticket not found" : `Ticket #${id}`}</h1>
        {missing ? (
          <p>There is no ticket #{id}, or you cannot see it.</p>
        ) : (
          <ErrorMessage error={ticket.error} onRetry={() => void ticket.reload()} />
        )}
        <p>
          <Link to={listUrl()}>Back to the tickets</Link>
        </p>
      </section>
    );
  }
  if (!ticket.data) return <Loading what={`ticket #${id}`} lines={8} />;
  return <TicketView ticket={ticket.data} reload={() => void ticket.reload()} />;
}

function TicketView({ ticket: t, reload }: { ticket: TicketDetail; reload: () => void }) {
  const { api } = useAuth();
  const user = useUser();
  const workflow = useAsync(
    () => api.get("/api/workflows/{system}", { path: { system: t.system } }),
    [api, t.system],
  );
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  // After any change, reload the ticket (with its triage) and every section under it.
  const changed = () => {
    reload();
    setVersion((v) => v + 1);
  };
  const canEdit = mayEditContent(user, t, workflow.data);
  useEffect(() => rememberOpened(t.id), [t.id]);
  // Where focus goes once the edit form has gone: the heading after a save, else "Edit".
  const [focusAfter, setFocusAfter] = useState<"heading" | "edit" | null>(null);
  useEffect(() => {
    if (editing || !focusAfter) return;
    (focusAfter === "heading" ? heading.current : editButton.current)?.focus();
    setFocusAfter(null);
  }, [editing, focusAfter]);
  const stopEditing = (didSave: boolean) => {
    setEditing(false);
    setSaved(didSave);
    setFocusAfter(didSave ? "heading" : "edit");
    if (didSave) changed();
  };

  return (
    <article aria-labelledby="ticket-title" className="ticket">
      <p className="crumbs">
        <Link to={listUrl()}>Tickets</Link> / #{t.id}
      </p>
      {editing ? (
        <EditTicket ticket={t} onSaved={() => stopEditing(true)} onCancel={() => stopEditing(false)} />
      ) : (
        <div className="title-row">
          <h1 id="ticket-title" tabIndex={-1} ref={heading}>
            {t.title}
          </h1>
          {canEdit ? (
            <button
              type="button"
              ref={editButton}
              onClick={() => {
                setSaved(false);
                setEditing(true);
              }}
              aria-label="Edit title, priority and category"
            >
              Edit
            </button>
          ) : null}
        </div>
      )}
      {saved ? <Notice>Changes saved.</Notice> : null}
      <Details ticket={t} />
      <SlaPanel sla={t.sla} />
      <Actions ticket={t} workflow={workflow} onChange={changed} />
      {t.ai_triage ? <Triage triage={t.ai_triage} /> : null}
      <section aria-labelledby="description-title" className="card">
        <h2 id="description-title">Description</h2>
        <p className="prewrap">{t.description}</p>
      </section>
      <div className="columns">
        <div>
          <Comments ticket={t} version={version} onAdded={() => changed()} />
        </div>
        <div>
          <Attachments ticketId={t.id} version={version} onAdded={() => changed()} />
          <Similar ticketId={t.id} version={version} />
          <History ticketId={t.id} version={version} />
        </div>
      </div>
    </article>
  );
}

function Details({ ticket: t }: { ticket: Ticket }) {
  return (
    <dl className="details ticket-facts" aria-label="Ticket details">
      <div>
        <dt>Status</dt>
        <dd>
          <Badge kind={t.status}>{humanise(t.status)}</Badge>
        </dd>
      </div>
      <div>
        <dt>Priority</dt>
        <dd>
          <Badge kind={t.priority}>{humanise(t.priority)}</Badge>
        </dd>
      </div>
      <div>
        <dt>Category</dt>
        <dd>{t.category ?? "None"}</dd>
      </div>
      <div>
        <dt>System</dt>
        <dd>{t.system}</dd>
      </div>
      <div>
        <dt>Requester</dt>
        <dd>
          <PersonName person={t.requester} />
        </dd>
      </div>
      <div>
        <dt>Assignee</dt>
        <dd>
          <PersonName person={t.assignee} none={t.assignee_id ? undefined : "Nobody"} />
        </dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>
          <When at={t.created_at} />
        </dd>
      </div>
      <div>
        <dt>Updated</dt>
        <dd>
          <When at={t.updated_at} />
        </dd>
      </div>
    </dl>
  );
}

/**
 * The moves the workflow offers this user; assignment by name for managers and above (the
 * API lets only them change the assignee); "Assign to me" for agents and above.
 */
function Actions({ ticket: t, workflow, onChange }: { ticket: Ticket; workflow: WorkflowLoad; onChange: () => void }) {
  const { api } = useAuth();
  const user = useUser();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [assignee, setAssignee] = useState<StaffMember | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const moves = workflow.data ? allowedTransitions(user, t, workflow.data) : [];
  const ordered = workflow.data ? orderMoves(moves, workflow.data) : { regular: [], terminal: [] };
  const canAssign = atLeast(user, t.system, "manager");
  const canTake = atLeast(user, t.system, "agent") && t.assignee_id !== user.id;

  const act = async (label: string, work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await work();
      onChange();
      setDone(label);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const move = (to: string) =>
    act(`Moved to ${humanise(to)}.`, () =>
      api.post("/api/tickets/{ticket_id}/transitions", { path: { ticket_id: t.id }, body: { to } }),
    );
  const assign = (id: string | null) =>
    act(id ? `Assigned to ${id === user.id ? "you" : (assignee ? staffName(assignee) : "them")}.` : "Unassigned.", () =>
      api.patch("/api/tickets/{ticket_id}", { path: { ticket_id: t.id }, body: { assignee_id: id } }),
    );
  const onAssign = (event: FormEvent) => {
    event.preventDefault();
    if (assignee) void assign(assignee.id);
  };

  return (
    <section aria-labelledby="actions-title" className="card actions-card">
      <h2 id="actions-title">Actions</h2>
      <ErrorMessage error={error} />
      <ErrorMessage error={workflow.error} onRetry={() => void workflow.reload()} />
      {done ? <Notice>{done}</Notice> : null}
      {workflow.data && moves.length === 0 ? (
        <p className="muted">No status change is open to you from “{humanise(t.status)}”.</p>
      ) : null}
      <Transitions moves={ordered} busy={busy} onMove={(to) => void move(to)} />
      {canAssign || canTake ? (
        <form className="assign" onSubmit={onAssign} aria-label="Assignment">
          {canAssign ? (
            <>
              <PersonPicker system={t.system} label="Assignee" value={assignee} onChange={setAssignee} />
              <button type="submit" disabled={busy || !assignee}>
                Assign
              </button>
            </>
          ) : null}
          {canTake ? (
            <button type="button" disabled={busy} onClick={() => void assign(user.id)}>
              Assign to me
            </button>
          ) : null}
          {canAssign && t.assignee_id ? (
            <button type="button" disabled={busy} onClick={() => void assign(null)}>
              Unassign
            </button>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}

function Similar({ ticketId, version }: { ticketId: number; version: number }) {
  const { api } = useAuth();
  const found = useAsync(() => similar(api, ticketId), [api, ticketId, version]);
  if (found.data === null) return null; // this deployment has no similar-tickets route
  return (
    <section aria-labelledby="similar-title" className="card">
      <h2 id="similar-title">Similar tickets</h2>
      {found.loading && !found.data ? <Loading what="similar tickets" /> : null}
      {found.data && found.data.length === 0 ? <p className="muted">None found.</p> : null}
      {found.data && found.data.length ? (
        <ul className="plain">
          {found.data.map((s) => (
            <li key={s.id}>
              <Link to={`/tickets/${s.id}`}>
                #{s.id} {s.title}
              </Link>{" "}
              <Badge kind={s.status}>{humanise(s.status)}</Badge>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
