/** German texts of the ticket area: the same keys as the English file, checked by the compiler. */
import type { Catalogue } from "../catalogue";
import type { ticket as en } from "./ticket.en";

export const ticket: Catalogue<typeof en> = {
};
