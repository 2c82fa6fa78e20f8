/**
 * The tickets of one page of the list: a table on wide screens, a list of cards on a phone
 * (the same markup; app.css restyles it). Long titles are clamped to three lines, with the
 * whole title in the link's `title` and shown in full while the link has focus.
 */
import type { Schemas } from "../../api/client";
import { PersonName } from "../../components/people";
import { SlaCell } from "../../components/sla";
import { Badge, humanise, TableScroll, When } from "../../components/ui";
import { Link } from "../../router";

type Item = Schemas["TicketListItem"];

interface Props {
  items: Item[];
  caption: string;
  current: number;
  onFocusRow: (index: number) => void;
}

export function ticketRowId(id: number): string {
  return `ticket-row-${id}`;
}

export function TicketTable({ items, caption, current, onFocusRow }: Props) {
  return (
    <TableScroll label="Tickets">
      <table className="table ticket-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Title</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">SLA</th>
            <th scope="col">Requester</th>
            <th scope="col">Assignee</th>
            <th scope="col">System</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {items.map((t, index) => (
            <tr
              key={t.id}
              id={ticketRowId(t.id)}
              className={index === current ? "current" : undefined}
              aria-current={index === current ? "true" : undefined}
              onFocus={() => onFocusRow(index)}
            >
              <td data-label="#">{t.id}</td>
              <td data-label="Title" className="cell-title">
                <Link to={`/tickets/${t.id}`} className="title-link" title={t.title}>
                  {t.title}
                </Link>
              </td>
              <td data-label="Status">
                <Badge kind={t.status}>{humanise(t.status)}</Badge>
              </td>
              <td data-label="Priority">
                <Badge kind={t.priority}>{humanise(t.priority)}</Badge>
              </td>
              <td data-label="SLA">
                <SlaCell sla={t.sla} />
              </td>
              <td data-label="Requester">
                <PersonName person={t.requester} />
              </td>
              <td data-label="Assignee">
                <PersonName person={t.assignee} none={t.assignee_id ? undefined : "Nobody"} />
              </td>
              <td data-label="System">{t.system}</td>
              <td data-label="Updated">
                <When at={t.updated_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
