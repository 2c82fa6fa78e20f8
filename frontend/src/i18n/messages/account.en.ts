/** English texts of the account area. Keys are "account.<what>"; a German twin sits beside. */
export const account = {
} as const;
