/** The AI triage of a ticket, when the tickets service reports one. */
import type { Triage as TriageData } from "../../api/extras";
import { t } from "../../i18n";
import { priorityLabel } from "../../i18n/labels";
import { fieldLabel } from "./History";
import { Link } from "../../router";

export function Triage({ triage }: { triage: TriageData }) {
  return (
    <section aria-labelledby="triage-title" className="card triage">
      <h2 id="triage-title">{t("ticket.triage")}</h2>
      {triage.status === "pending" ? <p className="muted">{t("ticket.triage.pending")}</p> : null}
      {triage.status === "failed" ? (
        <p className="muted">
          {triage.error ? t("ticket.triage.failedBecause", { error: triage.error }) : t("ticket.triage.failed")}
        </p>
      ) : null}
      {triage.status === "suggested" ? (
        <dl className="details">
          {triage.category ? (
            <div>
              <dt>{t("ticket.triage.category")}</dt>
              <dd>{triage.category}</dd>
            </div>
          ) : null}
          {triage.priority ? (
            <div>
              <dt>{t("ticket.triage.priority")}</dt>
              <dd>{priorityLabel(triage.priority)}</dd>
            </div>
          ) : null}
          {triage.summary ? (
            <div className="wide">
              <dt>{t("ticket.triage.summary")}</dt>
              <dd>{triage.summary}</dd>
            </div>
          ) : null}
          {(triage.applied ?? []).length ? (
            <div>
              <dt>{t("ticket.triage.applied")}</dt>
              <dd>{(triage.applied ?? []).map(fieldLabel).join(", ")}</dd>
            </div>
          ) : null}
          {(triage.possible_duplicates ?? []).length ? (
            <div className="wide">
              <dt>{t("ticket.triage.duplicates")}</dt>
              <dd>
                {(triage.possible_duplicates ?? []).map((id) => (
                  <Link key={id} to={`/tickets/${id}`} className="dup">
                    #{id}
                  </Link>
                ))}
              </dd>
            </div>
          ) : null}
          {triage.model ? (
            <div>
              <dt>{t("ticket.triage.model")}</dt>
              <dd>{triage.model}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
    </section>
  );
}
