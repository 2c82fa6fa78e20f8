/**
 * The colour theme: "system" follows `prefers-color-scheme`; "light" and "dark" pin one.
 * The choice lives in localStorage and shows as `data-theme` on <html>, which the
 * stylesheet's custom properties read (no inline styles: the CSP allows none).
 */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_KEY = "servicedesk.theme";

export function storedTheme(storage: Pick<Storage, "getItem"> = localStorage): Theme {
  try {
    const value = storage.getItem(THEME_KEY);
    return (THEMES as readonly string[]).includes(value ?? "") ? (value as Theme) : "system";
  } catch {
    return "system"; // storage may be blocked; the system's choice is a fine default
  }
}

/** Show `theme` on the document: `data-theme` for a pinned choice, none for "system". */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
}

export function saveTheme(theme: Theme, storage: Pick<Storage, "setItem" | "removeItem"> = localStorage): void {
  try {
    if (theme === "system") storage.removeItem(THEME_KEY);
    else storage.setItem(THEME_KEY, theme);
  } catch {
    /* not remembered; still applied for this page */
  }
  applyTheme(theme);
}
