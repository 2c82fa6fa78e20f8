/**
 * Where the list was: its filters (so "Tickets" on a ticket page goes back to the same
 * filtered list) and the ticket last opened from it (so the list's current row is that one
 * again). Per tab, in sessionStorage; storage may be blocked, then nothing is remembered.
 */
const LIST = "servicedesk.list";
const OPENED = "servicedesk.list.opened";

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    /* not remembered */
  }
}

export function rememberFilters(search: URLSearchParams): void {
  write(LIST, search.toString());
}

/** `/tickets` with the filters last used in this tab. */
export function listUrl(): string {
  const query = new URLSearchParams(read(LIST) ?? "").toString();
  return query ? `/tickets?${query}` : "/tickets";
}

export function rememberOpened(id: number): void {
  write(OPENED, String(id));
}

export function lastOpened(): number | null {
  const id = Number(read(OPENED));
  return Number.isInteger(id) && id > 0 ? id : null;
}
