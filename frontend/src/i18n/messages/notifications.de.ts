/** German texts of the notifications area: the same keys as the English file, checked by the compiler. */
import type { Catalogue } from "../catalogue";
import type { notifications as en } from "./notifications.en";

export const notifications: Catalogue<typeof en> = {
};
