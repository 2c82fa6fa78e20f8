/** English texts of the notifications area. Keys are "notifications.<what>"; a German twin sits beside. */
export const notifications = {
} as const;
