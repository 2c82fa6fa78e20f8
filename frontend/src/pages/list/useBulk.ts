/**
 * One bulk change (`POST /api/tickets/bulk`, docs/queues.md "Bulk changes"): the API checks
 * each ticket as if it were changed alone and answers per ticket; this keeps what came
 * back as an outcome to show (how many succeeded, each refusal with its reason).
 */
import { useState } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { hasText, t } from "../../i18n";

export type BulkAction = Schemas["BulkAction"];
type Result = Schemas["BulkResult"];

export interface Refusal {
  id: number;
  title: string;
  reason: string;
}

export interface Outcome {
  ok: number;
  refused: Refusal[];
}

/** A refusal in words: the catalogue's for a known code, else what the API said. */
export function reasonOf(result: Result): string {
  const key = `list.reason.${result.code ?? ""}`;
  if (hasText(key)) return t(key);
  return result.detail ?? result.code ?? "";
}

export function outcomeOf(results: Result[], titles: Map<number, string>): Outcome {
  return {
    ok: results.filter((r) => r.ok).length,
    refused: results
      .filter((r) => !r.ok)
      .map((r) => ({ id: r.id, title: titles.get(r.id) ?? "", reason: reasonOf(r) })),
  };
}

/** `run(ids, action)`; `onDone(outcome)` follows a successful call (reload, reselect). */
export function useBulk(titles: Map<number, string>, onDone: (outcome: Outcome) => void) {
  const { api } = useAuth();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<unknown>(null);

  const run = async (ids: number[], action: BulkAction) => {
    if (!ids.length || busy) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post("/api/tickets/bulk", { body: { ids, action } });
      const next = outcomeOf(answer.results, titles);
      setOutcome(next);
      onDone(next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const dismiss = () => {
    setOutcome(null);
    setError(null);
  };
  return { run, busy, outcome, error, dismiss };
}
