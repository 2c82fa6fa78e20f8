/**
 * "Assign to…" for the selected tickets: a person from the staff of one of their systems
 * (the picker searches one system; tickets elsewhere are refused where that person is not
 * staff, and the results say so).
 */
import { useState } from "react";
import { Dialog } from "../../components/Dialog";
import { PersonPicker, type StaffMember } from "../../components/PersonPicker";
import { SelectField } from "../../components/ui";
import { t, tn } from "../../i18n";

interface Props {
  count: number;
  systems: string[];
  onAssign: (personId: string) => void;
  onClose: () => void;
}

export function AssignDialog({ count, systems, onAssign, onClose }: Props) {
  const [system, setSystem] = useState(systems[0] ?? "");
  const [person, setPerson] = useState<StaffMember | null>(null);
  return (
    <Dialog title={tn("list.bulk.assignTitle", count)} onClose={onClose} className="assign-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (person) onAssign(person.id);
        }}
      >
        {systems.length > 1 ? (
          <SelectField
            label={t("list.bulk.staffOf")}
            hint={t("list.bulk.systemsHint")}
            options={systems.map((s) => ({ value: s, label: s }))}
            value={system}
            onChange={(e) => {
              setSystem(e.target.value);
              setPerson(null);
            }}
          />
        ) : null}
        <PersonPicker key={system} system={system} label={t("list.bulk.person")} value={person} onChange={setPerson} />
        <div className="button-row">
          <button type="submit" className="primary" disabled={!person}>
            {t("list.bulk.assign")}
          </button>
          <button type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
