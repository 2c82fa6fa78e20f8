/** German texts of the list area: the same keys as the English file, checked by the compiler. */
import type { Catalogue } from "../catalogue";
import type { list as en } from "./list.en";

export const list: Catalogue<typeof en> = {
};
