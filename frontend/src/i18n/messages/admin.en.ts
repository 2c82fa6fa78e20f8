/** English texts of the admin area. Keys are "admin.<what>"; a German twin sits beside. */
export const admin = {
} as const;
