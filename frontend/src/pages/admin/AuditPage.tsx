/** The audit log (newest first, filtered) and the hash-chain check. */
import { useState, type FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { PersonName } from "../../components/people";
import { ErrorMessage, Loading, Pager, TextField, When, TableScroll } from "../../components/ui";
import { t, tn } from "../../i18n";
import "./admin.css";

const PAGE = 50;
const EMPTY = { action: "", object_type: "", object_id: "" };

/** What verify found: intact or where it broke, and how many entries are still being sealed. */
function VerifyMessage({ result }: { result: Schemas["VerifyResult"] }) {
  const broken = result.first_broken;
  const unsealed = result.unsealed ? ` ${tn("admin.audit.unsealed", result.unsealed)}` : "";
  if (result.valid) return <p className="ok-box">{tn("admin.audit.intact", result.entries)}{unsealed}</p>;
  const where = !broken
    ? t("admin.audit.broken")
    : broken.seq != null
      ? t("admin.audit.brokenAt", { seq: String(broken.seq), reason: broken.reason })
      : t("admin.audit.brokenAtId", { id: String(broken.id ?? "?"), reason: broken.reason });
  return <p className="error">{where} {tn("admin.audit.checked", result.entries)}{unsealed}</p>;
}

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
        <h1 id="audit-title">{t("common.title.admin-audit")}</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => void runVerify()} disabled={verifying}>
            {verifying ? t("admin.audit.verifying") : t("admin.audit.verify")}
          </button>
        </div>
      </div>
      <div role="status" aria-live="polite">
        {verify ? <VerifyMessage result={verify} /> : null}
      </div>
      <ErrorMessage error={verifyError} />
      <form className="filters audit-filters" onSubmit={apply} aria-label={t("admin.audit.filters")}>
        <TextField label={t("admin.audit.action")} placeholder={t("admin.audit.actionExample")} value={draft.action}
          onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
        <TextField label={t("admin.audit.objectType")} placeholder={t("admin.audit.objectTypeExample")} value={draft.object_type}
          onChange={(e) => setDraft({ ...draft, object_type: e.target.value })} />
        <TextField label={t("admin.audit.objectId")} value={draft.object_id}
          onChange={(e) => setDraft({ ...draft, object_id: e.target.value })} />
        <div className="filter-buttons">
          <button type="submit" className="primary">{t("admin.audit.apply")}</button>
        </div>
      </form>
      <ErrorMessage error={log.error} onRetry={() => void log.reload()} />
      {log.loading && !page ? <Loading what={t("admin.audit.loading")} /> : null}
      {page && !log.error && page.items.length === 0 ? (
        <p className="empty">{Object.values(filters).every((v) => !v.trim()) ? t("admin.audit.empty") : t("admin.audit.none")}</p>
      ) : null}
      {page && !log.error && page.items.length > 0 ? (
        <>
          <TableScroll label={t("admin.audit.entries")}>
          {/* On a phone each entry stacks its cells, each with its column's name (admin.css); the
              explicit roles keep it a table for screen readers whatever the display. */}
          <table className="table audit-table" role="table">
            <caption className="visually-hidden">{t("admin.audit.caption", { count: page.total })}</caption>
            <thead role="rowgroup">
              <tr role="row">
                <th scope="col" role="columnheader">{t("admin.audit.seq")}</th>
                <th scope="col" role="columnheader">{t("admin.audit.when")}</th>
                <th scope="col" role="columnheader">{t("admin.audit.who")}</th>
                <th scope="col" role="columnheader">{t("admin.audit.action")}</th>
                <th scope="col" role="columnheader">{t("admin.audit.object")}</th>
                <th scope="col" role="columnheader">{t("admin.audit.ip")}</th>
                <th scope="col" role="columnheader">{t("admin.audit.hash")}</th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              {page.items.map((e) => (
                <tr key={e.id} role="row">
                  <td role="cell" className="cell-seq" data-label={t("admin.audit.seq")}>
                    {e.seq ?? <span className="muted" title={t("admin.audit.sealingHint")}>{t("admin.audit.sealing")}</span>}
                  </td>
                  <td role="cell" className="cell-when" data-label={t("admin.audit.when")}><When at={e.at} /></td>
                  <td role="cell" className="cell-who" data-label={t("admin.audit.who")}>
                    {e.actor || e.actor_id ? <PersonName person={e.actor} /> : t("admin.audit.system")}
                  </td>
                  <td role="cell" data-label={t("admin.audit.action")} className="cell-action mono">{e.action}</td>
                  <td role="cell" className="cell-object" data-label={t("admin.audit.object")}>{e.object_type}{e.object_id ? ` ${e.object_id}` : ""}</td>
                  <td role="cell" data-label={t("admin.audit.ip")} className="cell-ip mono">{e.ip ?? ""}</td>
                  <td role="cell" data-label={t("admin.audit.hash")} className="cell-hash mono" title={e.hash ?? undefined}>{e.hash ? `${e.hash.slice(0, 12)}…` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table></TableScroll>
          <Pager label={t("admin.audit.pages")} offset={offset} limit={PAGE} total={page.total} onChange={setOffset} />
        </>
      ) : null}
    </section>
  );
}
