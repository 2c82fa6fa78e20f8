/**
 * Every user-facing text, per area (one file per area and language, so areas can be
 * worked on apart). Keys are "area.what"; a text may hold `{name}` placeholders, and a
 * counted text comes as "<key>_one" / "<key>_other" (chosen by `Intl.PluralRules`).
 */
import { account as accountDe } from "./account.de";
import { account as accountEn } from "./account.en";
import { admin as adminDe } from "./admin.de";
import { admin as adminEn } from "./admin.en";
import { common as commonDe } from "./common.de";
import { common as commonEn } from "./common.en";
import { list as listDe } from "./list.de";
import { list as listEn } from "./list.en";
import { notifications as notificationsDe } from "./notifications.de";
import { notifications as notificationsEn } from "./notifications.en";
import { ticket as ticketDe } from "./ticket.de";
import { ticket as ticketEn } from "./ticket.en";

export const en = {
  ...commonEn,
  ...listEn,
  ...ticketEn,
  ...accountEn,
  ...notificationsEn,
  ...adminEn,
};

export type MessageKey = keyof typeof en;

export const de: Record<MessageKey, string> = {
  ...commonDe,
  ...listDe,
  ...ticketDe,
  ...accountDe,
  ...notificationsDe,
  ...adminDe,
};
