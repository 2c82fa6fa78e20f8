/**
 * What a bulk change did: how many succeeded, and each refused ticket with its reason. The
 * words sit in a live region that is always on the page, so a screen reader announces them
 * when they arrive. When the change took away the focused control (the bar goes once
 * nothing is left selected), focus comes here instead of falling to the page's start.
 */
import { useEffect, useRef } from "react";
import { ErrorMessage } from "../../components/ui";
import { t, tn } from "../../i18n";
import { Link } from "../../router";
import type { Outcome } from "./useBulk";

interface Props {
  outcome: Outcome | null;
  error: unknown;
  onDismiss: () => void;
}

function Summary({ outcome }: { outcome: Outcome }) {
  const refused = outcome.refused.length;
  return (
    <>
      <p>
        {tn("list.result.ok", outcome.ok)} {refused ? tn("list.result.failed", refused) : null}
      </p>
      {refused ? (
        <>
          <ul className="refusals">
            {outcome.refused.map((r) => (
              <li key={r.id}>
                <Link to={`/tickets/${r.id}`} title={r.title}>
                  {t("list.result.item", { id: String(r.id), title: r.title })}
                </Link>
                <span className="reason">
                  <span className="visually-hidden">: </span>
                  {r.reason}
                </span>
              </li>
            ))}
          </ul>
          <p>{t("list.result.stillSelected")}</p>
        </>
      ) : null}
    </>
  );
}

export function BulkResults({ outcome, error, onDismiss }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const lost = !document.activeElement || document.activeElement === document.body;
    if (outcome && lost) box.current?.focus();
  }, [outcome]);
  const kind = outcome?.refused.length ? "bulk-results partly" : "bulk-results";
  return (
    <div className={outcome ? kind : undefined} ref={box} tabIndex={-1}>
      <div role="status">{outcome ? <Summary outcome={outcome} /> : null}</div>
      <ErrorMessage error={error} />
      {outcome ? (
        <button type="button" className="link" onClick={onDismiss}>
          {t("list.result.dismiss")}
        </button>
      ) : null}
    </div>
  );
}
