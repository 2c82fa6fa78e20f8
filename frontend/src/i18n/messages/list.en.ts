/** English texts of the list area. Keys are "list.<what>"; a German twin sits beside. */
export const list = {
} as const;
