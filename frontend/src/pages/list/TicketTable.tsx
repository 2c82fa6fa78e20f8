/**
 * The tickets of one page of the list: a table on wide screens, a list of cards on a phone
 * (the same markup; app.css and queue.css restyle it). Long titles are clamped to three
 * lines, with the whole title in the link's `title` and shown in full while the link has
 * focus. Headers of sortable columns are buttons; staff get a checkbox per row (in the `#`
 * cell; "select all on this page" sits above the table, so a phone shows it too). The
 * ticket's system is a small line under its title (one column fewer beside the views).
 */
import type { Schemas } from "../../api/client";
import { PersonName } from "../../components/people";
import { SlaCell } from "../../components/sla";
import { Badge, TableScroll, When } from "../../components/ui";
import { t } from "../../i18n";
import { priorityLabel, stateLabel } from "../../i18n/labels";
import { Link } from "../../router";
import type { Sort } from "./query";
import { SortHeader } from "./SortHeader";
import type { Selection } from "./useSelection";

type Item = Schemas["TicketListItem"];

interface Props {
  items: Item[];
  caption: string;
  current: number;
  onFocusRow: (index: number) => void;
  sort: string;
  onSort: (sort: Sort) => void;
  /** Staff only: the selected tickets; without it the table has no checkboxes. */
  selection?: Selection;
}

export function ticketRowId(id: number): string {
  return `ticket-row-${id}`;
}

function Head({ sort, onSort }: Pick<Props, "sort" | "onSort">) {
  const sorted = (label: string, key: Parameters<typeof SortHeader>[0]["sortKey"]) => (
    <SortHeader label={label} sortKey={key} sort={sort} onSort={onSort} />
  );
  return (
    <thead>
      <tr>
        <SortHeader
          label={t("list.col.id")}
          sortKey="created_at"
          sort={sort}
          onSort={onSort}
          className="cell-id"
        />
        <th scope="col">{t("list.col.title")}</th>
        {sorted(t("list.col.status"), "status")}
        {sorted(t("list.col.priority"), "priority")}
        {sorted(t("list.col.sla"), "sla_due")}
        <th scope="col">{t("list.col.requester")}</th>
        <th scope="col">{t("list.col.assignee")}</th>
        {sorted(t("list.col.updated"), "updated_at")}
      </tr>
    </thead>
  );
}

function Row({ item: ticket, index, current, onFocusRow, selection }: {
  item: Item;
  index: number;
  current: boolean;
  onFocusRow: (index: number) => void;
  selection?: Selection;
}) {
  const selected = selection?.has(ticket.id) ?? false;
  const classes = [current ? "current" : "", selected ? "selected" : ""].filter(Boolean).join(" ");
  return (
    <tr
      id={ticketRowId(ticket.id)}
      className={classes || undefined}
      aria-current={current ? "true" : undefined}
      onFocus={() => onFocusRow(index)}
    >
      <td data-label={t("list.col.id")} className="cell-id">
        {selection ? (
          <input
            type="checkbox"
            className="select-box"
            aria-label={t("list.select.row", { id: String(ticket.id) })}
            checked={selected}
            onChange={() => selection.toggle(ticket.id)}
          />
        ) : null}
        {ticket.id}
      </td>
      <td data-label={t("list.col.title")} className="cell-title">
        <Link to={`/tickets/${ticket.id}`} className="title-link" title={ticket.title}>
          {ticket.title}
        </Link>
        <span className="ticket-system">
          <span className="visually-hidden">{t("list.col.system")}: </span>
          {ticket.system}
        </span>
      </td>
      <td data-label={t("list.col.status")}>
        <Badge kind={ticket.status}>{stateLabel(ticket.status)}</Badge>
      </td>
      <td data-label={t("list.col.priority")}>
        <Badge kind={ticket.priority}>{priorityLabel(ticket.priority)}</Badge>
      </td>
      <td data-label={t("list.col.sla")} className="cell-sla">
        <SlaCell sla={ticket.sla} />
      </td>
      <td data-label={t("list.col.requester")} className="cell-person">
        <PersonName person={ticket.requester} />
      </td>
      <td data-label={t("list.col.assignee")} className="cell-person">
        <PersonName person={ticket.assignee} none={ticket.assignee_id ? undefined : t("list.nobody")} />
      </td>
      <td data-label={t("list.col.updated")} className="cell-updated">
        <When at={ticket.updated_at} />
      </td>
    </tr>
  );
}

export function TicketTable({ items, caption, current, onFocusRow, sort, onSort, selection }: Props) {
  return (
    <TableScroll label={t("list.title")}>
      <table className="table ticket-table">
        <caption className="visually-hidden">{caption}</caption>
        <Head sort={sort} onSort={onSort} />
        <tbody>
          {items.map((item, index) => (
            <Row
              key={item.id}
              item={item}
              index={index}
              current={index === current}
              onFocusRow={onFocusRow}
              selection={selection}
            />
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
