/**
 * The list's filter form. It edits a draft; "Apply filters" puts the draft in the URL (the
 * list follows the URL), "Clear" empties both. The draft follows the URL when it changes
 * otherwise (a view chosen, a header clicked, the browser's back button).
 */
import { useEffect, useState, type RefObject } from "react";
import { Checkbox, SelectField, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { priorityLabel, stateLabel } from "../../i18n/labels";
import { EMPTY, PRIORITIES, sortOptions, STATUSES, type Filters } from "./query";

interface Props {
  filters: Filters;
  systems: string[];
  staff: boolean;
  search: RefObject<HTMLInputElement | null>;
  onApply: (filters: Filters) => void;
}

const anyOption = () => ({ value: "", label: t("common.any") });

function assigneeOptions(current: string) {
  const options = [
    { value: "", label: t("list.filters.anyone") },
    { value: "me", label: t("list.filters.me") },
    { value: "none", label: t("common.unassigned") },
  ];
  // A person's id (from a view or a link): kept, so the select shows what the list shows.
  if (current && !["me", "none"].includes(current)) options.push({ value: current, label: t("list.filters.someone") });
  return options;
}

export function ListFilters({ filters, systems, staff, search, onApply }: Props) {
  const [draft, setDraft] = useState(filters);
  const key = JSON.stringify(filters);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setDraft(filters), [key]);
  const field = (name: keyof Filters) => ({
    name,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });
  return (
    <form
      className="filters"
      role="search"
      aria-label={t("list.filters.label")}
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <TextField
        label={t("list.filters.search")}
        type="search"
        ref={search}
        aria-keyshortcuts="/"
        placeholder={t("list.filters.searchHint")}
        {...field("q")}
      />
      <SelectField
        label={t("list.filters.status")}
        options={[anyOption(), ...STATUSES.map((s) => ({ value: s, label: stateLabel(s) }))]}
        {...field("status")}
      />
      <SelectField
        label={t("list.filters.priority")}
        options={[anyOption(), ...PRIORITIES.map((p) => ({ value: p, label: priorityLabel(p) }))]}
        {...field("priority")}
      />
      <SelectField
        label={t("list.filters.system")}
        options={[anyOption(), ...systems.map((s) => ({ value: s, label: s }))]}
        {...field("system")}
      />
      {staff ? (
        <SelectField label={t("list.filters.assignee")} options={assigneeOptions(draft.assignee)} {...field("assignee")} />
      ) : null}
      <SelectField
        label={t("list.filters.sla")}
        options={[
          anyOption(),
          { value: "at_risk", label: t("list.filters.sla.at_risk") },
          { value: "breached", label: t("list.filters.sla.breached") },
        ]}
        {...field("sla")}
      />
      <SelectField label={t("list.filters.sort")} options={sortOptions()} {...field("sort")} />
      <Checkbox
        label={t("list.filters.active")}
        checked={draft.active === "true"}
        onChange={(e) => setDraft({ ...draft, active: e.target.checked ? "true" : "" })}
      />
      <div className="filter-buttons">
        <button type="submit" className="primary">
          {t("list.filters.apply")}
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(EMPTY);
            onApply(EMPTY);
          }}
        >
          {t("list.filters.clear")}
        </button>
      </div>
    </form>
  );
}
