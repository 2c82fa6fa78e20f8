/**
 * A column header that sorts the list: a button inside the `th` (so it is reachable and
 * named), `aria-sort` on the `th` for the column the list is sorted by.
 */
import { nextSort, sortState, type Sort, type SortKey } from "./query";

interface Props {
  label: string;
  sortKey: SortKey;
  sort: string;
  onSort: (sort: Sort) => void;
  className?: string;
}

export function SortHeader({ label, sortKey, sort, onSort, className }: Props) {
  const state = sortState(sort, sortKey);
  return (
    <th scope="col" aria-sort={state} className={className}>
      <button type="button" className="sort-button" onClick={() => onSort(nextSort(sort, sortKey))}>
        {label}
        <span className="sort-arrow" aria-hidden="true">
          {state === "ascending" ? "▲" : state === "descending" ? "▼" : "↕"}
        </span>
      </button>
    </th>
  );
}
