/** The audit log (newest first, filtered) and the hash-chain check. */
import { useState, type FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { PersonName } from "../../components/people";
import { ErrorMessage, Loading, Pager, TextField, When, TableScroll } from "../../components/ui";

const PAGE = 50;
const EMPTY = { action: "", object_type: "", object_id: "" };

export function AuditPage() {
  const { api } = useAuth();
  const [filters, setFilters] = useState(EMPTY);
  const [draft, setDraft] = useState(EMPTY);
  const [offset, setOffset] = useState(0);
  const [verify, setVerify] = useState<Schemas["VerifyResult"] | null>(null);
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const [verifying, setVerifying] = useState(false);
  const log = useAsync(
    () =>
      api.get("/api/admin/audit", {
        query: {
          action: filters.action || undefined,
          object_type: filters.object_type || undefined,
          object_id: filters.object_id || undefined,
          limit: PAGE,
          offset,
        },
      }),
    [api, filters, offset],
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setOffset(0);
  };

  const runVerify = async () => {
    setVerifying(true);
    setVerifyError(null);
    setVerify(null);
    try {
      setVerify(await api.get("/api/admin/audit/verify"));
    } catch (err) {
      setVerifyError(err);
    } finally {
      setVerifying(false);
    }
  };

  const page = log.data;
  return (
    <section aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">Audit log</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => void runVerify()} disabled={verifying}>
            {verifying ? "Verifying…" : "Verify chain"}
          </button>
        </div>
      </div>
      <div role="status" aria-live="polite">
        {verify ? (
          verify.valid ? (
            <p className="ok-box">The chain is intact: all {verify.entries} entries verified.</p>
          ) : (
            <p className="error">
              The chain is broken
              {verify.first_broken
                ? ` at entry ${verify.first_broken.seq}: ${verify.first_broken.reason}`
                : ""}
              . {verify.entries} entries checked.
            </p>
          )
        ) : null}
      </div>
      <ErrorMessage error={verifyError} />
      <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
        <TextField label="Action" placeholder="e.g. ticket.status_changed" value={draft.action}
          onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
        <TextField label="Object type" placeholder="ticket, workflow, export" value={draft.object_type}
          onChange={(e) => setDraft({ ...draft, object_type: e.target.value })} />
        <TextField label="Object id" value={draft.object_id}
          onChange={(e) => setDraft({ ...draft, object_id: e.target.value })} />
        <div className="filter-buttons">
          <button type="submit" className="primary">Apply filters</button>
        </div>
      </form>
      <ErrorMessage error={log.error} onRetry={() => void log.reload()} />
      {log.loading && !page ? <Loading what="the audit log" /> : null}
      {page && !log.error ? (
        <>
          <TableScroll label="Audit entries">
          <table className="table">
            <caption className="visually-hidden">Audit entries, newest first ({page.total} in all)</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">IP</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td><When at={e.at} /></td>
                  <td>{e.actor || e.actor_id ? <PersonName person={e.actor} /> : "System"}</td>
                  <td className="mono">{e.action}</td>
                  <td>{e.object_type}{e.object_id ? ` ${e.object_id}` : ""}</td>
                  <td className="mono">{e.ip ?? ""}</td>
                  <td className="mono" title={e.hash}>{e.hash.slice(0, 12)}…</td>
                </tr>
              ))}
            </tbody>
          </table></TableScroll>
          <Pager label="Audit pages" offset={offset} limit={PAGE} total={page.total} onChange={setOffset} />
        </>
      ) : null}
    </section>
  );
}
