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
import { Badge, ErrorMessage, Loading, Notice, When } from "../components/ui";
import { t } from "../i18n";
import { priorityLabel, stateLabel } from "../i18n/labels";
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
        <h1 id="ticket-title">{missing ? t("ticket.notFound") : t("ticket.heading", { id: String(id) })}</h1>
        {missing ? (
          <p>{t("ticket.notFoundText", { id: String(id) })}</p>
        ) : (
          <ErrorMessage error={ticket.error} onRetry={() => void ticket.reload()} />
        )}
        <p>
          <Link to={listUrl()}>{t("ticket.backToList")}</Link>
        </p>
      </section>
    );
  }
  if (!ticket.data) return <Loading what={t("ticket.loadingWhat", { id: String(id) })} lines={8} />;
  return <TicketView ticket={ticket.data} reload={() => void ticket.reload()} />;
}

function TicketView({ ticket, reload }: { ticket: TicketDetail; reload: () => void }) {
  const { api } = useAuth();
  const user = useUser();
  const workflow = useAsync(
    () => api.get("/api/workflows/{system}", { path: { system: ticket.system } }),
    [api, ticket.system],
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
  const canEdit = mayEditContent(user, ticket, workflow.data);
  useEffect(() => rememberOpened(ticket.id), [ticket.id]);
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
        <Link to={listUrl()}>{t("common.nav.tickets")}</Link> / #{ticket.id}
      </p>
      {editing ? (
        <EditTicket ticket={ticket} onSaved={() => stopEditing(true)} onCancel={() => stopEditing(false)} />
      ) : (
        <div className="title-row">
          <h1 id="ticket-title" tabIndex={-1} ref={heading}>
            {ticket.title}
          </h1>
          {canEdit ? (
            <button
              type="button"
              ref={editButton}
              onClick={() => {
                setSaved(false);
                setEditing(true);
              }}
              aria-label={t("ticket.editLabel")}
            >
              {t("common.edit")}
            </button>
          ) : null}
        </div>
      )}
      {saved ? <Notice>{t("ticket.saved")}</Notice> : null}
      <Details ticket={ticket} />
      <SlaPanel sla={ticket.sla} />
      <Actions ticket={ticket} workflow={workflow} onChange={changed} />
      {ticket.ai_triage ? <Triage triage={ticket.ai_triage} /> : null}
      <section aria-labelledby="description-title" className="card">
        <h2 id="description-title">{t("common.field.description")}</h2>
        <p className="prewrap">{ticket.description}</p>
      </section>
      <div className="columns">
        <div>
          <Comments ticket={ticket} version={version} onAdded={() => changed()} />
        </div>
        <div>
          <Attachments ticketId={ticket.id} version={version} onAdded={() => changed()} />
          <Similar ticketId={ticket.id} version={version} />
          <History ticketId={ticket.id} version={version} />
        </div>
      </div>
    </article>
  );
}

function Details({ ticket: tk }: { ticket: Ticket }) {
  return (
    <dl className="details ticket-facts" aria-label={t("ticket.details")}>
      <div>
        <dt>{t("ticket.fact.status")}</dt>
        <dd>
          <Badge kind={tk.status}>{stateLabel(tk.status)}</Badge>
        </dd>
      </div>
      <div>
        <dt>{t("common.field.priority")}</dt>
        <dd>
          <Badge kind={tk.priority}>{priorityLabel(tk.priority)}</Badge>
        </dd>
      </div>
      <div>
        <dt>{t("common.field.category")}</dt>
        <dd>{tk.category ?? t("common.none")}</dd>
      </div>
      <div>
        <dt>{t("ticket.fact.system")}</dt>
        <dd>{tk.system}</dd>
      </div>
      <div>
        <dt>{t("ticket.fact.requester")}</dt>
        <dd>
          <PersonName person={tk.requester} />
        </dd>
      </div>
      <div>
        <dt>{t("ticket.fact.assignee")}</dt>
        <dd>
          <PersonName person={tk.assignee} none={tk.assignee_id ? undefined : t("ticket.nobody")} />
        </dd>
      </div>
      <div>
        <dt>{t("ticket.fact.created")}</dt>
        <dd>
          <When at={tk.created_at} />
        </dd>
      </div>
      <div>
        <dt>{t("ticket.fact.updated")}</dt>
        <dd>
          <When at={tk.updated_at} />
        </dd>
      </div>
    </dl>
  );
}

/**
 * The moves the workflow offers this user; assignment by name for managers and above (the
 * API lets only them change the assignee); "Assign to me" for agents and above.
 */
function Actions({ ticket: tk, workflow, onChange }: { ticket: Ticket; workflow: WorkflowLoad; onChange: () => void }) {
  const { api } = useAuth();
  const user = useUser();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [assignee, setAssignee] = useState<StaffMember | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const moves = workflow.data ? allowedTransitions(user, tk, workflow.data) : [];
  const ordered = workflow.data ? orderMoves(moves, workflow.data) : { regular: [], terminal: [] };
  const canAssign = atLeast(user, tk.system, "manager");
  const canTake = atLeast(user, tk.system, "agent") && tk.assignee_id !== user.id;

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
    act(t("ticket.movedTo", { state: stateLabel(to) }), () =>
      api.post("/api/tickets/{ticket_id}/transitions", { path: { ticket_id: tk.id }, body: { to } }),
    );
  const assign = (id: string | null) =>
    act(assignedText(id, user.id, assignee), () =>
      api.patch("/api/tickets/{ticket_id}", { path: { ticket_id: tk.id }, body: { assignee_id: id } }),
    );
  const onAssign = (event: FormEvent) => {
    event.preventDefault();
    if (assignee) void assign(assignee.id);
  };

  return (
    <section aria-labelledby="actions-title" className="card actions-card">
      <h2 id="actions-title">{t("ticket.actions")}</h2>
      <ErrorMessage error={error} />
      <ErrorMessage error={workflow.error} onRetry={() => void workflow.reload()} />
      {done ? <Notice>{done}</Notice> : null}
      {workflow.data && moves.length === 0 ? (
        <p className="muted">{t("ticket.noMoves", { state: stateLabel(tk.status) })}</p>
      ) : null}
      <Transitions moves={ordered} busy={busy} onMove={(to) => void move(to)} />
      {canAssign || canTake ? (
        <form className="assign" onSubmit={onAssign} aria-label={t("ticket.assignment")}>
          {canAssign ? (
            <>
              <PersonPicker system={tk.system} label={t("ticket.fact.assignee")} value={assignee} onChange={setAssignee} />
              <button type="submit" disabled={busy || !assignee}>
                {t("ticket.assign")}
              </button>
            </>
          ) : null}
          {canTake ? (
            <button type="button" disabled={busy} onClick={() => void assign(user.id)}>
              {t("ticket.assignToMe")}
            </button>
          ) : null}
          {canAssign && tk.assignee_id ? (
            <button type="button" disabled={busy} onClick={() => void assign(null)}>
              {t("ticket.unassign")}
            </button>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}

function assignedText(id: string | null, me: string, picked: StaffMember | null): string {
  if (!id) return t("ticket.unassigned");
  if (id === me) return t("ticket.assignedToYou");
  return t("ticket.assignedTo", { name: picked ? staffName(picked) : t("ticket.person.unknown") });
}

function Similar({ ticketId, version }: { ticketId: number; version: number }) {
  const { api } = useAuth();
  const found = useAsync(() => similar(api, ticketId), [api, ticketId, version]);
  if (found.data === null) return null; // this deployment has no similar-tickets route
  return (
    <section aria-labelledby="similar-title" className="card">
      <h2 id="similar-title">{t("ticket.similar")}</h2>
      {found.loading && !found.data ? <Loading what={t("ticket.similarLoading")} /> : null}
      {found.data && found.data.length === 0 ? <p className="muted">{t("ticket.similarNone")}</p> : null}
      {found.data && found.data.length ? (
        <ul className="plain">
          {found.data.map((s) => (
            <li key={s.id}>
              <Link to={`/tickets/${s.id}`}>
                #{s.id} {s.title}
              </Link>{" "}
              <Badge kind={s.status}>{stateLabel(s.status)}</Badge>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
