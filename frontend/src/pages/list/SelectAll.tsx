/** "Select all tickets on this page": ticked when all are, mixed when some are. */
import type { Schemas } from "../../api/client";
import { t } from "../../i18n";
import type { Selection } from "./useSelection";

export function SelectAll({ items, selection }: { items: Schemas["TicketListItem"][]; selection: Selection }) {
  const chosen = items.filter((i) => selection.has(i.id)).length;
  return (
    <label className="select-all">
      <input
        type="checkbox"
        checked={chosen > 0 && chosen === items.length}
        ref={(box) => {
          if (box) box.indeterminate = chosen > 0 && chosen < items.length;
        }}
        onChange={(e) => selection.setAll(items.map((i) => i.id), e.target.checked)}
      />
      {t("list.select.all")}
    </label>
  );
}
