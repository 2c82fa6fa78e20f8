/** Operations at a glance: service health, queue depths, outbox lag, rate-limit rejections,
 * and open tickets whose assignee lost the role (to be assigned again). */
import { useEffect } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { PersonName } from "../../components/people";
import { Badge, ErrorMessage, Loading, When, TableScroll } from "../../components/ui";
import { Link } from "../../router";

/** `GET /api/admin/ops`: the gateway's own route (see gateway/README.md). */
export type Ops = Schemas["OpsReport"];
/** `GET /api/admin/orphaned-assignments` (tickets): assignees no longer agent+ there. */
type Orphaned = Schemas["OrphanedPage"];

const REFRESH_MS = 10_000;

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
    <section aria-labelledby="ops-title">
      <div className="page-head">
        <h1 id="ops-title">Operations</h1>
        <div className="actions">
          <button type="button" onClick={() => void ops.reload()}>Refresh now</button>
        </div>
      </div>
      <ErrorMessage error={ops.error} onRetry={() => void ops.reload()} />
      {ops.loading && !o ? <Loading what="the operations summary" /> : null}
      {o ? (
        <>
          <p className="muted">
            As of <When at={o.generated_at} />; refreshes every {REFRESH_MS / 1000} seconds.
          </p>
          <div className="grid">
            <section className="card" aria-labelledby="ops-services">
              <h2 id="ops-services">Service health</h2>
              <TableScroll label="Services"><table className="table">
                <thead>
                  <tr><th scope="col">Service</th><th scope="col">State</th><th scope="col">Dependencies</th></tr>
                </thead>
                <tbody>
                  {o.services.map((s) => (
                    <tr key={s.name}>
                      <th scope="row">{s.name}</th>
                      <td><Badge kind={s.status === "ok" ? "ok" : "down"}>{s.status}</Badge></td>
                      <td>{Object.entries(s.dependencies).map(([d, st]) => `${d}: ${st}`).join(", ") || "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table></TableScroll>
            </section>
            <section className="card" aria-labelledby="ops-queues">
              <h2 id="ops-queues">Queue depths</h2>
              <TableScroll label="Queues"><table className="table">
                <thead>
                  <tr><th scope="col">Queue</th><th scope="col">Ready messages</th><th scope="col">Consumers</th></tr>
                </thead>
                <tbody>
                  {o.queues.map((q) => (
                    <tr key={q.name}>
                      <th scope="row" className="mono">{q.name}</th>
                      <td>{q.messages ?? q.status}</td>
                      <td>{q.consumers ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table></TableScroll>
            </section>
            <section className="card" aria-labelledby="ops-outbox">
              <h2 id="ops-outbox">Outbox lag</h2>
              <TableScroll label="Outbox"><table className="table">
                <thead>
                  <tr><th scope="col">Producer</th><th scope="col">Unpublished</th><th scope="col">Oldest (seconds)</th></tr>
                </thead>
                <tbody>
                  {o.outbox.map((x) => (
                    <tr key={x.service}>
                      <th scope="row">{x.service}</th>
                      <td>{x.pending ?? "unknown"}</td>
                      <td>{x.lag_seconds === null ? "unknown" : x.lag_seconds.toFixed(1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table></TableScroll>
            </section>
            <section className="card" aria-labelledby="ops-limits">
              <h2 id="ops-limits">Rate-limit rejections</h2>
              <TableScroll label="Rate limits"><table className="table">
                <thead>
                  <tr><th scope="col">Bucket</th><th scope="col">Requests refused (429)</th></tr>
                </thead>
                <tbody>
                  {Object.entries(o.rate_limited).map(([bucket, n]) => (
                    <tr key={bucket}><th scope="row">{bucket}</th><td>{n}</td></tr>
                  ))}
                </tbody>
              </table></TableScroll>
              <p className="muted">Failed sign-ins: {o.login_failures ?? "unknown"}. Counts since this gateway / auth process started.</p>
            </section>
            <section className="card" aria-labelledby="ops-events">
              <h2 id="ops-events">Events</h2>
              <TableScroll label="Events"><table className="table">
                <thead>
                  <tr><th scope="col">Service</th><th scope="col">Published</th><th scope="col">Consumed</th><th scope="col">Dead-lettered</th></tr>
                </thead>
                <tbody>
                  {o.events.map((e) => (
                    <tr key={e.service}>
                      <th scope="row">{e.service}</th><td>{e.published}</td><td>{e.consumed}</td><td>{e.dead_lettered}</td>
                    </tr>
                  ))}
                </tbody>
              </table></TableScroll>
            </section>
            <section className="card" aria-labelledby="ops-orphaned">
              <h2 id="ops-orphaned">Assignees who lost their role</h2>
              <ErrorMessage error={orphaned.error} onRetry={() => void orphaned.reload()} />
              {orphaned.data && !orphaned.error && orphaned.data.items.length === 0 ? (
                <p className="muted">None: every open ticket's assignee is still agent or above in its system.</p>
              ) : null}
              {orphaned.data && !orphaned.error && orphaned.data.items.length > 0 ? (
                <TableScroll label="Orphaned assignments"><table className="table">
                  <thead>
                    <tr><th scope="col">Ticket</th><th scope="col">System</th><th scope="col">Assignee</th></tr>
                  </thead>
                  <tbody>
                    {orphaned.data.items.map((row) => (
                      <tr key={row.ticket_id}>
                        <th scope="row"><Link to={`/tickets/${row.ticket_id}`}>#{row.ticket_id}</Link></th>
                        <td>{row.system}</td>
                        <td><PersonName person={row.assignee} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table></TableScroll>
              ) : null}
            </section>
          </div>
        </>
      ) : null}
    </section>
  );
}
