/** German texts of the account area: the same keys as the English file, checked by the compiler. */
import type { Catalogue } from "../catalogue";
import type { account as en } from "./account.en";

export const account: Catalogue<typeof en> = {
};
