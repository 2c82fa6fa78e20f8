/** The AI triage of a ticket, when the tickets service reports one. */
import type { Triage as TriageData } from "../../api/extras";
import { humanise } from "../../components/ui";
import { Link } from "../../router";

export function Triage({ triage }: { triage: TriageData }) {
  return (
    <section aria-labelledby="triage-title" className="card triage">
      <h2 id="triage-title">AI triage</h2>
      {triage.status === "pending" ? <p className="muted">The AI has not looked at this ticket yet.</p> : null}
      {triage.status === "failed" ? (
        <p className="muted">The AI could not triage this ticket{triage.error ? `: ${triage.error}` : "."}</p>
      ) : null}
      {triage.status === "suggested" ? (
        <dl className="details">
          {triage.category ? (
            <div>
              <dt>Suggested category</dt>
              <dd>{triage.category}</dd>
            </div>
          ) : null}
          {triage.priority ? (
            <div>
              <dt>Suggested priority</dt>
              <dd>{humanise(triage.priority)}</dd>
            </div>
          ) : null}
          {triage.summary ? (
            <div className="wide">
              <dt>Summary</dt>
              <dd>{triage.summary}</dd>
            </div>
          ) : null}
          {(triage.applied ?? []).length ? (
            <div>
              <dt>Applied automatically</dt>
              <dd>{(triage.applied ?? []).join(", ")}</dd>
            </div>
          ) : null}
          {(triage.possible_duplicates ?? []).length ? (
            <div className="wide">
              <dt>Possible duplicates</dt>
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
              <dt>Model</dt>
              <dd>{triage.model}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
    </section>
  );
}
