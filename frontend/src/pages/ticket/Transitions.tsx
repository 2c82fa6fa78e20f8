/**
 * The status moves open to the user: the workflow's order, the ones that end the ticket
 * (terminal states) set apart and confirmed in a dialog before they happen.
 */
import { useState } from "react";
import { ConfirmDialog } from "../../components/Dialog";
import { humanise } from "../../components/ui";
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
        <div className="button-row" role="group" aria-label="Change status">
          {moves.regular.map((to) => (
            <button key={to} type="button" disabled={busy} onClick={() => onMove(to)}>
              Move to {humanise(to)}
            </button>
          ))}
        </div>
      ) : null}
      {moves.terminal.length ? (
        <div className="button-row terminal" role="group" aria-label="End the ticket">
          {moves.terminal.map((to) => (
            <button key={to} type="button" className="danger" disabled={busy} onClick={() => setConfirming(to)}>
              Move to {humanise(to)}…
            </button>
          ))}
        </div>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title={`Move to ${humanise(confirming)}?`}
          confirm={`Yes, move to ${humanise(confirming)}`}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const to = confirming;
            setConfirming(null);
            onMove(to);
          }}
        >
          <p>
            “{humanise(confirming)}” ends the ticket: it cannot be moved to another status
            afterwards.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
