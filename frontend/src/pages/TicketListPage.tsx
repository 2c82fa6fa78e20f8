/**
 * The ticket list: filters (SLA "Breaching soon" too), full-text search, requester and
 * assignee by name, SLA badges, pagination and CSV export, kept in the URL; keyboard
 * shortcuts (`?` lists them).
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { buildUrl } from "../api/client";
import { useAuth, useUser } from "../auth/AuthContext";
import { isStaffAnywhere } from "../auth/roles";
import { useAsync } from "../components/useAsync";
import { ShortcutHelp } from "../components/ShortcutHelp";
import { ErrorMessage, humanise, Loaded, Pager, SelectField, TextField } from "../components/ui";
import { Link, useRouter } from "../router";
import { rememberFilters } from "./list/lastList";
import { TicketTable } from "./list/TicketTable";
import { LIST_SHORTCUTS, useListKeys } from "./list/useListKeys";

export const STATUSES = ["", "open", "in_progress", "waiting", "resolved", "closed"] as const;
export const PRIORITIES = ["low", "medium", "high", "urgent"] as const;
const PAGE = 25;
const FILTERS = ["status", "priority", "system", "q", "assignee_id", "sla", "sort"] as const;
const EMPTY = { status: "", priority: "", system: "", q: "", assignee_id: "", sla: "", sort: "" };
export const SLA_FILTERS = [
  { value: "", label: "Any" },
  { value: "at_risk", label: "Breaching soon" },
  { value: "breached", label: "Breached" },
] as const;
type Filter = (typeof FILTERS)[number];

export function TicketListPage() {
  const { api } = useAuth();
  const user = useUser();
  const { location, navigate } = useRouter();
  const params = location.search;
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])) as Record<
    Filter,
    string
  >;
  const offset = Math.max(0, Number(params.get("offset")) || 0);
  const [draft, setDraft] = useState(filters);
  const [exportError, setExportError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);
  const [showHelp, setShowHelp] = useState(false);
  const search = useRef<HTMLInputElement>(null);
  const systems = useAsync(() => api.get("/api/systems"), [api]);

  const key = params.toString();
  useEffect(() => rememberFilters(new URLSearchParams(key)), [key]);
  const tickets = useAsync(
    () =>
      api.get("/api/tickets", {
        query: {
          status: filters.status || undefined,
          priority: (filters.priority || undefined) as (typeof PRIORITIES)[number] | undefined,
          system: filters.system || undefined,
          q: filters.q || undefined,
          assignee_id: filters.assignee_id || undefined,
          sla: (filters.sla || undefined) as "breached" | "at_risk" | undefined,
          sort: filters.sort === "sla_due" ? "sla_due" : undefined,
          limit: PAGE,
          offset,
        },
      }),
    [api, key],
  );

  const go = (next: Record<string, string>, nextOffset = 0) => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) search.set(k, v);
    if (nextOffset) search.set("offset", String(nextOffset));
    const query = search.toString();
    navigate(query ? `/tickets?${query}` : "/tickets", { replace: true });
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    go(draft);
  };

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const query = { ...filters, columns: "description,comments" };
      await api.download(buildUrl("/api/export/tickets", undefined, query), "tickets.csv");
    } catch (err) {
      setExportError(err);
    } finally {
      setExporting(false);
    }
  };

  const ids = tickets.data?.items.map((t) => t.id) ?? [];
  const [current, setCurrent] = useListKeys({
    ids,
    search,
    open: (id) => navigate(`/tickets/${id}`),
    help: setShowHelp,
  });
  const systemNames = systems.data?.map((s) => s.name) ?? [];
  return (
    <section aria-labelledby="tickets-title">
      <div className="page-head">
        <h1 id="tickets-title">Tickets</h1>
        <div className="actions">
          <Link className="button primary" to="/tickets/new">
            New ticket
          </Link>
          <button type="button" onClick={() => void exportCsv()} disabled={exporting}>
            {exporting ? "Exporting…" : "Export CSV"}
          </button>
          <button type="button" onClick={() => setShowHelp(true)} aria-keyshortcuts="?">
            Keyboard shortcuts
          </button>
        </div>
      </div>
      <ErrorMessage error={exportError} />
      <form className="filters" onSubmit={apply} role="search" aria-label="Filter tickets">
        <TextField
          label="Search"
          type="search"
          name="q"
          ref={search}
          aria-keyshortcuts="/"
          placeholder="Words in title or description"
          value={draft.q}
          onChange={(e) => setDraft({ ...draft, q: e.target.value })}
        />
        <SelectField
          label="Status"
          name="status"
          options={STATUSES.map((s) => ({ value: s, label: s ? humanise(s) : "Any" }))}
          value={draft.status}
          onChange={(e) => setDraft({ ...draft, status: e.target.value })}
        />
        <SelectField
          label="Priority"
          name="priority"
          options={[{ value: "", label: "Any" }, ...PRIORITIES.map((p) => ({ value: p, label: humanise(p) }))]}
          value={draft.priority}
          onChange={(e) => setDraft({ ...draft, priority: e.target.value })}
        />
        <SelectField
          label="System"
          name="system"
          options={[{ value: "", label: "Any" }, ...systemNames.map((s) => ({ value: s, label: s }))]}
          value={draft.system}
          onChange={(e) => setDraft({ ...draft, system: e.target.value })}
        />
        {isStaffAnywhere(user) ? (
          <SelectField
            label="Assignee"
            name="assignee_id"
            options={[
              { value: "", label: "Anyone" },
              { value: user.id, label: "Assigned to me" },
            ]}
            value={draft.assignee_id}
            onChange={(e) => setDraft({ ...draft, assignee_id: e.target.value })}
          />
        ) : null}
        <SelectField
          label="SLA"
          name="sla"
          options={SLA_FILTERS}
          value={draft.sla}
          onChange={(e) => setDraft({ ...draft, sla: e.target.value })}
        />
        <SelectField
          label="Order"
          name="sort"
          options={[
            { value: "", label: "Newest first" },
            { value: "sla_due", label: "SLA due soonest" },
          ]}
          value={draft.sort}
          onChange={(e) => setDraft({ ...draft, sort: e.target.value })}
        />
        <div className="filter-buttons">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY);
              go(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <Loaded state={tickets} what="tickets" lines={6}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">
              {FILTERS.some((f) => f !== "sort" && filters[f])
                ? "No tickets match these filters. “Clear” shows them all."
                : "No tickets yet. File one with “New ticket”."}
            </p>
          ) : (
            <>
              <TicketTable
                items={page.items}
                current={current}
                onFocusRow={setCurrent}
                caption={`Tickets, ${filters.sort === "sla_due" ? "SLA due soonest" : "newest first"} (${page.total} in all)`}
              />
              <Pager
                label="Ticket pages"
                offset={offset}
                limit={PAGE}
                total={page.total}
                onChange={(next) => go(filters, next)}
              />
            </>
          )
        }
      </Loaded>
      {showHelp ? <ShortcutHelp shortcuts={LIST_SHORTCUTS} onClose={() => setShowHelp(false)} /> : null}
    </section>
  );
}
