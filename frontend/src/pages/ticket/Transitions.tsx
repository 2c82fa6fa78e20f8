/**
 * The status moves open to the user: the workflow's order, the ones that end the ticket
 * (terminal states) set apart and confirmed in a dialog before they happen.
 */
import { useState } from "react";
import { ConfirmDialog } from "../../components/Dialog";
import { t } from "../../i18n";
import { stateLabel } from "../../i18n/labels";
import type { Moves } from "./moves";

interface Props {
  moves: Moves;
  busy: boolean;
  onMove: (to: string) => void;
}

export function Transitions({ moves, busy, onMove }: Props) {
  const [confirming, setConfirming] = useState<string | null>(null);
  return (
    <div className="transitions">
      {moves.regular.length ? (
        <div className="button-row" role="group" aria-label={t("ticket.changeStatus")}>
          {moves.regular.map((to) => (
            <button key={to} type="button" disabled={busy} onClick={() => onMove(to)}>
              {t("ticket.move", { state: stateLabel(to) })}
            </button>
          ))}
        </div>
      ) : null}
      {moves.terminal.length ? (
        <div className="button-row terminal" role="group" aria-label={t("ticket.endTicket")}>
          {moves.terminal.map((to) => (
            <button key={to} type="button" className="danger" disabled={busy} onClick={() => setConfirming(to)}>
              {t("ticket.moveEnding", { state: stateLabel(to) })}
            </button>
          ))}
        </div>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title={t("ticket.confirmTitle", { state: stateLabel(confirming) })}
          confirm={t("ticket.confirmYes", { state: stateLabel(confirming) })}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const to = confirming;
            setConfirming(null);
            onMove(to);
          }}
        >
          <p>{t("ticket.confirmText", { state: stateLabel(confirming) })}</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
