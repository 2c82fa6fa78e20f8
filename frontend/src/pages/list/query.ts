/**
 * The list's state lives in the URL (bookmarkable, kept when coming back from a ticket):
 * the filters of `GET /api/tickets`, `sort` and `offset`. This module reads and writes
 * that query and compares it with a saved view's filters (docs/queues.md).
 */
import type { Schemas } from "../../api/client";
import { t, type MessageKey } from "../../i18n";

export const STATUSES = ["open", "in_progress", "waiting", "resolved", "closed"] as const;
export const PRIORITIES = ["low", "medium", "high", "urgent"] as const;
export const FILTERS = ["q", "status", "priority", "system", "assignee", "requester", "active", "sla", "sort"] as const;
export type Filter = (typeof FILTERS)[number];
export type Filters = Record<Filter, string>;
export const EMPTY: Filters = Object.fromEntries(FILTERS.map((f) => [f, ""])) as Filters;

export const SORT_KEYS = ["updated_at", "created_at", "priority", "status", "sla_due"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type Sort = SortKey | `-${SortKey}`;
export const DEFAULT_SORT: Sort = "-updated_at";
/** The direction a column sorts in when first clicked: the useful end first. */
const FIRST: Record<SortKey, Sort> = {
  updated_at: "-updated_at",
  created_at: "-created_at",
  priority: "-priority",
  status: "status",
  sla_due: "sla_due",
};

type View = Schemas["ViewRead"];
type ListQuery = ReturnType<typeof toListQuery>;

export function isSort(value: string): value is Sort {
  return (SORT_KEYS as readonly string[]).includes(value.replace(/^-/, ""));
}

/** The filters in `search`; `assignee_id` (the older spelling) reads as `assignee`. */
export function readFilters(search: URLSearchParams): Filters {
  const filters = { ...EMPTY };
  for (const f of FILTERS) filters[f] = search.get(f) ?? "";
  if (!filters.assignee) filters.assignee = search.get("assignee_id") ?? "";
  if (!isSort(filters.sort)) filters.sort = "";
  return filters;
}

export function readOffset(search: URLSearchParams): number {
  return Math.max(0, Number(search.get("offset")) || 0);
}

/** `/tickets?…` for these filters (empty ones left out) and page. */
export function listPath(filters: Partial<Filters>, offset = 0): string {
  const search = new URLSearchParams();
  for (const f of FILTERS) if (filters[f]) search.set(f, filters[f] as string);
  if (offset) search.set("offset", String(offset));
  const query = search.toString();
  return query ? `/tickets?${query}` : "/tickets";
}

export function hasFilters(filters: Filters): boolean {
  return FILTERS.some((f) => f !== "sort" && filters[f]);
}

/** The query of `GET /api/tickets` for these filters and page. */
export function toListQuery(filters: Filters, limit: number, offset: number) {
  const or = (v: string) => v || undefined;
  return {
    q: or(filters.q),
    status: or(filters.status),
    priority: or(filters.priority) as (typeof PRIORITIES)[number] | undefined,
    system: or(filters.system),
    assignee: or(filters.assignee),
    requester: or(filters.requester),
    active: filters.active ? filters.active === "true" : undefined,
    sla: or(filters.sla) as "breached" | "at_risk" | undefined,
    sort: (filters.sort || undefined) as Sort | undefined,
    limit,
    offset,
  };
}

/** A view's filters and sort as the list's URL filters. */
export function viewFilters(view: View): Filters {
  const filters = { ...EMPTY };
  for (const [name, value] of Object.entries(view.filters)) {
    const f = name === "assignee_id" ? "assignee" : name;
    if ((FILTERS as readonly string[]).includes(f) && value !== null && value !== undefined) {
      filters[f as Filter] = String(value);
    }
  }
  filters.sort = view.sort === DEFAULT_SORT ? "" : view.sort;
  return filters;
}

/** Whether the list shows exactly what `view` holds (then it is the current view). */
export function sameFilters(a: Filters, b: Filters): boolean {
  return FILTERS.every((f) => (f === "sort" ? (a.sort || DEFAULT_SORT) === (b.sort || DEFAULT_SORT) : a[f] === b[f]));
}

/** The body of `POST /api/views` that saves the current filters under `name`. */
export function viewBody(name: string, filters: Filters): Schemas["ViewCreate"] {
  const kept: Schemas["ViewFilters"] = {};
  const query: ListQuery = toListQuery(filters, 1, 0);
  for (const f of FILTERS) {
    if (f === "sort" || !filters[f]) continue;
    (kept as Record<string, unknown>)[f] = query[f as keyof ListQuery];
  }
  return { name, filters: kept, sort: (filters.sort || DEFAULT_SORT) as Sort, shared: false };
}

/** The sort after clicking `key`'s header: flips the current one, else its useful end first. */
export function nextSort(current: string, key: SortKey): Sort {
  const now = (current || DEFAULT_SORT) as Sort;
  if (now === key) return `-${key}`;
  if (now === `-${key}`) return key;
  return FIRST[key];
}

/** How `key` is sorted now: for `aria-sort`. */
export function sortState(current: string, key: SortKey): "ascending" | "descending" | undefined {
  const now = current || DEFAULT_SORT;
  if (now === key) return "ascending";
  if (now === `-${key}`) return "descending";
  return undefined;
}

/** "Recently updated first" and the like, for the sort select and the table's caption. */
export function sortLabel(sort: string): string {
  const value = sort || DEFAULT_SORT;
  const key = value.startsWith("-") ? `${value.slice(1)}.desc` : `${value}.asc`;
  return t(`list.sort.${key}` as MessageKey);
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function sortOptions(): { value: string; label: string }[] {
  return SORT_KEYS.flatMap((k) => [FIRST[k], nextSort(FIRST[k], k)]).map((s) => ({
    value: s === DEFAULT_SORT ? "" : s,
    label: capitalise(sortLabel(s)),
  }));
}
