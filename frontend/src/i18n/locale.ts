/**
 * Which language the app speaks: the one chosen on the account page (kept in
 * localStorage), else the browser's first supported language, else English.
 */
export const LOCALES = ["en", "de"] as const;
export type Locale = (typeof LOCALES)[number];

export const LOCALE_KEY = "servicedesk.locale";

/** Each language named in itself, for the switch. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", de: "Deutsch" };

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

/** The first of the browser's languages we ship ("de-AT" → "de"), else English. */
export function browserLocale(languages: readonly string[] = navigator.languages ?? []): Locale {
  for (const tag of languages) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

export function storedLocale(storage: Pick<Storage, "getItem"> = localStorage): Locale | null {
  try {
    const value = storage.getItem(LOCALE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null; // storage may be blocked: follow the browser
  }
}

/** Remember `locale`, or forget the choice (`null`: follow the browser again). */
export function saveLocale(
  locale: Locale | null,
  storage: Pick<Storage, "setItem" | "removeItem"> = localStorage,
): void {
  try {
    if (locale === null) storage.removeItem(LOCALE_KEY);
    else storage.setItem(LOCALE_KEY, locale);
  } catch {
    /* not remembered; still used for this page */
  }
}
