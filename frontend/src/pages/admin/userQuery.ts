/**
 * The users page's search, sort and page as they stand in its address
 * (`/admin/users?q=ada&sort=display_name&offset=50`), so a search can be bookmarked and shared.
 * Defaults are left out of the address: newest first, the first page, no search.
 */
import type { operations } from "../../api/schema";
import { t } from "../../i18n";

export type UserSort = NonNullable<NonNullable<operations["list_users_api_users_get"]["parameters"]["query"]>["sort"]>;

export interface UserQuery {
  q: string;
  sort: UserSort;
  offset: number;
}

export const PAGE = 50;
export const DEFAULT_SORT: UserSort = "-created_at";
/** The API takes 1 to 100 characters. */
export const MAX_Q = 100;

/** The orders offered, first the default (the API knows `-username` and `-email` too). */
export const SORTS: readonly UserSort[] = ["-created_at", "created_at", "display_name", "-display_name", "username", "email"];

export function sortLabel(sort: UserSort): string {
  switch (sort) {
    case "-created_at":
      return t("admin.users.sort.newest");
    case "created_at":
      return t("admin.users.sort.oldest");
    case "display_name":
      return t("admin.users.sort.nameAsc");
    case "-display_name":
      return t("admin.users.sort.nameDesc");
    case "username":
      return t("admin.users.sort.username");
    case "email":
      return t("admin.users.sort.email");
    default:
      return sort;
  }
}

export function readUserQuery(search: URLSearchParams): UserQuery {
  const sort = search.get("sort") as UserSort | null;
  return {
    q: (search.get("q") ?? "").trim().slice(0, MAX_Q),
    sort: sort && SORTS.includes(sort) ? sort : DEFAULT_SORT,
    offset: Math.max(0, Math.floor(Number(search.get("offset")) || 0)),
  };
}

export function userQueryUrl({ q, sort, offset }: UserQuery): string {
  const search = new URLSearchParams();
  if (q) search.set("q", q);
  if (sort !== DEFAULT_SORT) search.set("sort", sort);
  if (offset > 0) search.set("offset", String(offset));
  const text = search.toString();
  return text ? `/admin/users?${text}` : "/admin/users";
}
