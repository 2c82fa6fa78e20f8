/**
 * The bar that appears while tickets are selected (staff only): how many, and what to do
 * with them all at once. It sticks to the bottom of the window, so it stays at hand while
 * scrolling the list; on a phone its controls wrap.
 */
import { useState, type ReactNode } from "react";
import { useUser } from "../../auth/AuthContext";
import { SelectField } from "../../components/ui";
import { t, tn } from "../../i18n";
import { priorityLabel, stateLabel } from "../../i18n/labels";
import { AssignDialog } from "./AssignDialog";
import { PRIORITIES, STATUSES } from "./query";
import type { BulkAction } from "./useBulk";

interface Props {
  count: number;
  /** The systems of the selected tickets (the "Assign to…" picker searches their staff). */
  systems: string[];
  busy: boolean;
  onRun: (action: BulkAction) => void;
  onClear: () => void;
}

/** A select and its button: choose a value, then apply it to the selection. */
function PickAndApply(props: {
  label: string;
  button: string;
  options: { value: string; label: string }[];
  busy: boolean;
  onApply: (value: string) => void;
}): ReactNode {
  const [value, setValue] = useState("");
  return (
    <form
      className="bulk-pick"
      onSubmit={(e) => {
        e.preventDefault();
        if (value) props.onApply(value);
      }}
    >
      <SelectField
        label={props.label}
        options={[{ value: "", label: t("list.bulk.choose") }, ...props.options]}
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" disabled={!value || props.busy}>
        {props.button}
      </button>
    </form>
  );
}

export function BulkBar({ count, systems, busy, onRun, onClear }: Props) {
  const user = useUser();
  const [assigning, setAssigning] = useState(false);
  return (
    <section className="bulk-bar" aria-label={t("list.bulk.label")} aria-busy={busy}>
      <div className="bulk-status">
        <p className="bulk-count">{busy ? t("list.bulk.working") : tn("list.bulk.selected", count)}</p>
        <button type="button" className="link" onClick={onClear}>
          {t("list.bulk.clear")}
        </button>
      </div>
      <div className="bulk-buttons">
        <button type="button" className="primary" disabled={busy} onClick={() => onRun({ assign: user.id })}>
          {t("list.bulk.assignMe")}
        </button>
        <button type="button" disabled={busy} onClick={() => setAssigning(true)}>
          {t("list.bulk.assignTo")}
        </button>
      </div>
      <PickAndApply
        label={t("list.bulk.priority")}
        button={t("list.bulk.setPriority")}
        options={PRIORITIES.map((p) => ({ value: p, label: priorityLabel(p) }))}
        busy={busy}
        onApply={(p) => onRun({ priority: p as (typeof PRIORITIES)[number] })}
      />
      <PickAndApply
        label={t("list.bulk.state")}
        button={t("list.bulk.move")}
        options={STATUSES.map((s) => ({ value: s, label: stateLabel(s) }))}
        busy={busy}
        onApply={(s) => onRun({ transition: s })}
      />
      {assigning ? (
        <AssignDialog
          count={count}
          systems={systems}
          onClose={() => setAssigning(false)}
          onAssign={(id) => {
            setAssigning(false);
            onRun({ assign: id });
          }}
        />
      ) : null}
    </section>
  );
}
