/** German texts of the admin area: the same keys as the English file, checked by the compiler. */
import type { Catalogue } from "../catalogue";
import type { admin as en } from "./admin.en";

export const admin: Catalogue<typeof en> = {
};
