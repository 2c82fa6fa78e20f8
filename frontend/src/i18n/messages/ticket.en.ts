/** English texts of the ticket area. Keys are "ticket.<what>"; a German twin sits beside. */
export const ticket = {
} as const;
