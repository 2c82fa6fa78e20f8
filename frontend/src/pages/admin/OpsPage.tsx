/** Operations at a glance: service health, queue depths, outbox lag, rate-limit rejections,
 * and open tickets whose assignee lost the role (to be assigned again). */
import { Fragment, useEffect } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { PersonName } from "../../components/people";
import { Badge, ErrorMessage, Loading, When } from "../../components/ui";
import { formatNumber, t, tx } from "../../i18n";
import { Link } from "../../router";
import { StackedTable } from "./StackedTable";
import "./admin.css";

/** `GET /api/admin/ops`: the gateway's own route (see gateway/README.md). */
export type Ops = Schemas["OpsReport"];
/** `GET /api/admin/orphaned-assignments` (tickets): assignees no longer agent+ there. */
type Orphaned = Schemas["OrphanedPage"];

const REFRESH_MS = 10_000;

/** A service's or queue's state in words: the known ones translated, an error as it came. */
function stateWords(state: string): string {
  switch (state) {
    case "ok":
      return t("admin.ops.state.ok");
    case "missing":
      return t("admin.ops.state.missing");
    case "unavailable":
      return t("admin.ops.state.unavailable");
    default:
      return state;
  }
}

/** A dotted name ("servicedesk.events.unrouted") that may wrap after each dot. */
function dotted(name: string) {
  return name.split(".").map((part, i, parts) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 ? <>.<wbr /></> : null}
    </Fragment>
  ));
}

/** A count, or "unknown" where the source did not answer. */
function count(value: number | null | undefined): string {
  return value === null || value === undefined ? t("admin.ops.unknown") : formatNumber(value);
}

/** Seconds to a tenth, in the reader's notation. */
function seconds(value: number | null): string {
  return value === null ? t("admin.ops.unknown") : formatNumber(Math.round(value * 10) / 10);
}

export function OpsPage() {
  const { api } = useAuth();
  const ops = useAsync((): Promise<Ops> => api.get("/api/admin/ops"), [api]);
  const orphaned = useAsync(
    (): Promise<Orphaned> => api.get("/api/admin/orphaned-assignments"),
    [api],
  );
  useEffect(() => {
    const timer = window.setInterval(() => {
      void ops.reload();
      void orphaned.reload();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [ops.reload, orphaned.reload]);

  const o = ops.data;
  return (
    <section className="ops-page" aria-labelledby="ops-title">
      <div className="page-head">
        <h1 id="ops-title">{t("common.title.admin-ops")}</h1>
        <div className="actions">
          <button type="button" onClick={() => void ops.reload()}>{t("admin.ops.refresh")}</button>
        </div>
      </div>
      <ErrorMessage error={ops.error} onRetry={() => void ops.reload()} />
      {ops.loading && !o ? <Loading what={t("admin.ops.loading")} /> : null}
      {o ? (
        <>
          <p className="muted">
            {tx("admin.ops.asOf", { time: <When at={o.generated_at} />, seconds: formatNumber(REFRESH_MS / 1000) })}
          </p>
          <div className="grid">
            <section className="card" aria-labelledby="ops-services">
              <h2 id="ops-services">{t("admin.ops.services")}</h2>
              <StackedTable label={t("admin.ops.services")} stack={false}
                columns={[t("admin.ops.service"), t("admin.ops.state"), t("admin.ops.dependencies")]}
                rows={o.services.map((s) => ({
                  key: s.name,
                  name: s.name,
                  cells: [
                    <Badge kind={s.status === "ok" ? "ok" : "down"}>{stateWords(s.status)}</Badge>,
                    Object.entries(s.dependencies).map(([d, st]) => `${d}: ${stateWords(String(st))}`).join(", ") || "—",
                  ],
                }))} />
            </section>
            <section className="card" aria-labelledby="ops-queues">
              <h2 id="ops-queues">{t("admin.ops.queues")}</h2>
              <StackedTable label={t("admin.ops.queues")}
                columns={[t("admin.ops.queue"), t("admin.ops.ready"), t("admin.ops.consumers")]}
                rows={o.queues.map((q) => ({
                  key: q.name,
                  name: dotted(q.name),
                  mono: true,
                  cells: [
                    q.messages === null || q.messages === undefined ? stateWords(q.status) : formatNumber(q.messages),
                    q.consumers === null || q.consumers === undefined ? "—" : formatNumber(q.consumers),
                  ],
                }))} />
            </section>
            <section className="card" aria-labelledby="ops-outbox">
              <h2 id="ops-outbox">{t("admin.ops.outbox")}</h2>
              <StackedTable label={t("admin.ops.outbox")}
                columns={[t("admin.ops.producer"), t("admin.ops.pending"), t("admin.ops.oldest")]}
                rows={o.outbox.map((x) => ({ key: x.service, name: x.service, cells: [count(x.pending), seconds(x.lag_seconds)] }))} />
            </section>
            <section className="card" aria-labelledby="ops-limits">
              <h2 id="ops-limits">{t("admin.ops.limits")}</h2>
              <StackedTable label={t("admin.ops.limits")} stack={false}
                columns={[t("admin.ops.bucket"), t("admin.ops.refused")]}
                rows={Object.entries(o.rate_limited).map(([bucket, n]) => ({ key: bucket, name: bucket, cells: [formatNumber(n)] }))} />
              <p className="muted">{t("admin.ops.loginFailures", { count: count(o.login_failures) })}</p>
            </section>
            <section className="card" aria-labelledby="ops-events">
              <h2 id="ops-events">{t("admin.ops.events")}</h2>
              <StackedTable label={t("admin.ops.events")}
                columns={[t("admin.ops.service"), t("admin.ops.published"), t("admin.ops.consumed"), t("admin.ops.deadLettered")]}
                rows={o.events.map((e) => ({
                  key: e.service,
                  name: e.service,
                  cells: [formatNumber(e.published), formatNumber(e.consumed), formatNumber(e.dead_lettered)],
                }))} />
            </section>
            <section className="card" aria-labelledby="ops-orphaned">
              <h2 id="ops-orphaned">{t("admin.ops.orphaned")}</h2>
              <ErrorMessage error={orphaned.error} onRetry={() => void orphaned.reload()} />
              {orphaned.data && !orphaned.error && orphaned.data.items.length === 0 ? (
                <p className="muted">{t("admin.ops.orphanedNone")}</p>
              ) : null}
              {orphaned.data && !orphaned.error && orphaned.data.items.length > 0 ? (
                <StackedTable label={t("admin.ops.orphanedTable")}
                  columns={[t("admin.ops.ticket"), t("admin.ops.system"), t("admin.ops.assignee")]}
                  rows={orphaned.data.items.map((row) => ({
                    key: row.ticket_id,
                    name: <Link to={`/tickets/${row.ticket_id}`}>#{row.ticket_id}</Link>,
                    cells: [row.system, <PersonName person={row.assignee} />],
                  }))} />
              ) : null}
            </section>
          </div>
        </>
      ) : null}
    </section>
  );
}
