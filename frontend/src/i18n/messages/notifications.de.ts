/** German texts of the notifications area: the same keys as the English file, checked by the compiler. */
import type { Catalogue } from "../catalogue";
import type { notifications as en } from "./notifications.en";

export const notifications: Catalogue<typeof en> = {
  "notifications.unread": "({count} ungelesen)",
  "notifications.refresh": "Aktualisieren",
  "notifications.markAll": "Alle als gelesen markieren",
  "notifications.onlyUnread": "Nur ungelesene",
  "notifications.loading": "Benachrichtigungen",
  "notifications.empty": "Noch nichts da.",
  "notifications.unreadBadge": "Ungelesen",
  "notifications.markRead": "Als gelesen markieren",
  "notifications.markReadLabel": "„{title}“ als gelesen markieren",
  "notifications.openTicket": "Ticket #{id} öffnen",
  "notifications.changes_one": "{count} Änderung",
  "notifications.changes_other": "{count} Änderungen",
  "notifications.changesList": "Änderungen",
  "notifications.pages": "Seiten der Benachrichtigungen",
  "notifications.kind.message": "Nachricht",
  "notifications.kind.ticket.created": "Neues Ticket",
  "notifications.kind.ticket.status_changed": "Statusänderung",
  "notifications.kind.ticket.assigned": "Zuweisung",
  "notifications.kind.comment.added": "Kommentar",
  "notifications.kind.ticket.sla.warning": "SLA-Warnung",
  "notifications.kind.ticket.sla.breached": "SLA verletzt",
};
