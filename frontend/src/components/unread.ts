/** Pages that read notifications tell the badge to recount. */
export const UNREAD_CHANGED = "unread-changed";
export const unreadEvents = new EventTarget();

export function unreadChanged(): void {
  unreadEvents.dispatchEvent(new Event(UNREAD_CHANGED));
}
