/**
 * The agent's queue (issue 13): views with counts beside the list, filters and sort kept in
 * the URL (bookmarkable, kept when coming back from a ticket), a sortable table that turns
 * into cards on a phone, and for staff row selection with a bulk-action bar; keyboard
 * shortcuts (`?` lists them). The parts live in ./list/.
 */
import { useEffect, useRef, useState } from "react";
import { buildUrl, type Schemas } from "../api/client";
import { useAuth, useUser } from "../auth/AuthContext";
import { isStaffAnywhere } from "../auth/roles";
import { ShortcutHelp } from "../components/ShortcutHelp";
import { useAsync } from "../components/useAsync";
import { ErrorMessage, Loaded, Pager } from "../components/ui";
import { t } from "../i18n";
import { Link, useRouter } from "../router";
import { BulkBar } from "./list/BulkBar";
import { BulkResults } from "./list/BulkResults";
import { rememberFilters } from "./list/lastList";
import { ListFilters } from "./list/ListFilters";
import { hasFilters, listPath, readFilters, readOffset, sortLabel, toListQuery, type Filters } from "./list/query";
import { SelectAll } from "./list/SelectAll";
import { TicketTable } from "./list/TicketTable";
import { useBulk } from "./list/useBulk";
import { listShortcuts, useListKeys } from "./list/useListKeys";
import { useSelection } from "./list/useSelection";
import { ViewsSidebar } from "./list/ViewsSidebar";
import "./list/queue.css";

export { PRIORITIES } from "./list/query";
const PAGE = 25;
type Item = Schemas["TicketListItem"];

function useExport(filters: Filters) {
  const { api } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      // The export takes the list's filters, not its sort or paging (docs/queues.md).
      const { sort: _sort, limit: _limit, offset: _offset, ...query } = toListQuery(filters, 1, 0);
      const url = buildUrl("/api/export/tickets", undefined, { ...query, columns: "description,comments" });
      await api.download(url, "tickets.csv");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { run, error, busy };
}

function Head({ onHelp, exporting, onExport }: { onHelp: () => void; exporting: boolean; onExport: () => void }) {
  return (
    <div className="page-head">
      <h1 id="tickets-title">{t("list.title")}</h1>
      <div className="actions">
        <Link className="button primary" to="/tickets/new">
          {t("list.newTicket")}
        </Link>
        <button type="button" onClick={onExport} disabled={exporting}>
          {exporting ? t("list.exporting") : t("list.export")}
        </button>
        <button type="button" onClick={onHelp} aria-keyshortcuts="?">
          {t("common.shortcuts.title")}
        </button>
      </div>
    </div>
  );
}

export function TicketListPage() {
  const { api } = useAuth();
  const user = useUser();
  const staff = isStaffAnywhere(user);
  const { location, navigate } = useRouter();
  const params = location.search;
  const key = params.toString();
  const filters = readFilters(params);
  const offset = readOffset(params);
  const [showHelp, setShowHelp] = useState(false);
  const [version, setVersion] = useState(0);
  const search = useRef<HTMLInputElement>(null);
  const systems = useAsync(() => api.get("/api/systems"), [api]);
  const exporter = useExport(filters);
  const selection = useSelection();

  useEffect(() => rememberFilters(new URLSearchParams(key)), [key]);
  // Another page or other filters: what was ticked is out of sight, so it is let go.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => selection.replace([]), [key]);
  const tickets = useAsync(() => api.get("/api/tickets", { query: toListQuery(filters, PAGE, offset) }), [api, key]);
  const items: Item[] = tickets.data?.items ?? [];

  const bulk = useBulk(new Map(items.map((i) => [i.id, i.title])), (outcome) => {
    selection.replace(outcome.refused.map((r) => r.id));
    setVersion((v) => v + 1);
    void tickets.reload();
  });
  const go = (next: Filters, nextOffset = 0) => navigate(listPath(next, nextOffset), { replace: true });
  // `a`: the selected tickets, or else the current one.
  const assignToMe = (current: number | undefined) => {
    const ids = selection.ids.length ? selection.ids : current === undefined ? [] : [current];
    void bulk.run(ids, { assign: user.id });
  };
  const [current, setCurrent] = useListKeys({
    ids: items.map((i) => i.id),
    search,
    open: (id) => navigate(`/tickets/${id}`),
    help: setShowHelp,
    toggle: staff ? selection.toggle : undefined,
    assignToMe: staff ? assignToMe : undefined,
  });
  const selectedSystems = [...new Set(items.filter((i) => selection.has(i.id)).map((i) => i.system))];

  return (
    <section aria-labelledby="tickets-title" className={staff ? "queue with-views" : "queue"}>
      <Head onHelp={() => setShowHelp(true)} exporting={exporter.busy} onExport={() => void exporter.run()} />
      {staff ? <ViewsSidebar filters={filters} version={version} /> : null}
      <div className="queue-main">
        <ErrorMessage error={exporter.error} />
        <ListFilters
          filters={filters}
          systems={systems.data?.map((s) => s.name) ?? []}
          staff={staff}
          search={search}
          onApply={(next) => go(next)}
        />
        {staff ? <BulkResults outcome={bulk.outcome} error={bulk.error} onDismiss={bulk.dismiss} /> : null}
        <Loaded state={tickets} what={t("list.what")} lines={6}>
          {(page) =>
            page.items.length === 0 ? (
              <p className="empty">{hasFilters(filters) ? t("list.empty.filtered") : t("list.empty.none")}</p>
            ) : (
              <>
                {staff ? <SelectAll items={page.items} selection={selection} /> : null}
                <TicketTable
                  items={page.items}
                  current={current}
                  onFocusRow={setCurrent}
                  sort={filters.sort}
                  onSort={(sort) => go({ ...filters, sort })}
                  selection={staff ? selection : undefined}
                  caption={t("list.caption", { order: sortLabel(filters.sort), total: page.total })}
                />
                <Pager
                  label={t("list.pages")}
                  offset={offset}
                  limit={PAGE}
                  total={page.total}
                  onChange={(next) => go(filters, next)}
                />
              </>
            )
          }
        </Loaded>
        {staff && selection.ids.length ? (
          <BulkBar
            count={selection.ids.length}
            systems={selectedSystems}
            busy={bulk.busy}
            onRun={(action) => void bulk.run(selection.ids, action)}
            onClear={() => selection.replace([])}
          />
        ) : null}
      </div>
      {showHelp ? <ShortcutHelp shortcuts={listShortcuts(staff)} onClose={() => setShowHelp(false)} /> : null}
    </section>
  );
}
